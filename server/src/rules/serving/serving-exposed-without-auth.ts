import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix, Range } from '../../engine/types';
import type { Invocation, InvocationContext, PublishedPort, ServingFacts } from '../../invocations/types';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from '../triton/model-folder';
import { insertArgsEdit, replaceValueEdit } from './arg-edits';
import { flag, flagRange, isAnyAddress, isLoopback, servingCommand, type ServingCommand } from './command';
import { tritonCommand } from './triton-command';

const meta: RuleMeta = {
  id: 'serving-exposed-without-auth',
  title: 'Model server reachable without authentication',
  summary: 'vLLM, TGI, OpenVINO Model Server or llama-server listens on all interfaces (or is published) without an API key, or an administrative serving port is published or EXPOSEd.',
  group: 'serving',
  defaultSeverity: 'warning',
  fixable: 'sometimes',
  catalog: ['SV721', 'SV731', 'SV740', 'SV750', 'K8506', 'DK308'],
  references: [
    { title: 'vLLM security guide', url: 'https://docs.vllm.ai/en/latest/usage/security.html' },
    { title: 'TGI launcher arguments (--hostname, --api-key)', url: 'https://huggingface.co/docs/text-generation-inference/reference/launcher' },
    { title: 'OpenVINO Model Server security considerations', url: 'https://docs.openvino.ai/2025/model-server/ovms_docs_security.html' },
    { title: 'llama.cpp server README (--host, --api-key)', url: 'https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md' },
  ],
};

function relatedOf(ports: PublishedPort[]): { range: Range; uri?: string; message: string }[] {
  return ports.filter((p) => p.range).map((p) => ({ range: p.range!, ...(p.uri ? { uri: p.uri } : {}), message: `port ${p.port} is published here${p.serviceName ? ` (Service ${p.serviceName})` : ''}` }));
}

function externalPorts(inv: Invocation, ports: number[]): PublishedPort[] {
  return (inv.context.publishedPorts ?? []).filter((p) => p.external && ports.includes(p.port));
}

function hostFix(ctx: RuleContext, cmd: ServingCommand, hostFlag: string, use: ReturnType<typeof flag>): Fix[] {
  const edit = use ? replaceValueEdit(use.valueRange, '127.0.0.1') : insertArgsEdit(ctx.text, cmd.invocation, [`--${hostFlag}`, '127.0.0.1']);
  return edit ? [{ title: `Listen on 127.0.0.1 only (--${hostFlag} 127.0.0.1)`, edits: [edit], safe: false, preferred: true }] : [];
}

function vllm(cmd: ServingCommand, ctx: RuleContext): Finding[] {
  if (flag(cmd, 'uds')) return [];
  const host = flag(cmd, 'host');
  if (host && (host.value === undefined || !host.resolved || !isAnyAddress(host.value))) return [];
  const key = flag(cmd, 'api-key');
  const envKey = cmd.env.get('VLLM_API_KEY');
  const port = Number(flag(cmd, 'port')?.value ?? 8000);
  if (key || envKey) {
    const at = key ? key.item.range : envKey!.nameRange ?? envKey!.range;
    return [finding(meta, at, CATALOG_SEVERITY.info,
      'The vLLM API key protects only /v1 (and /v2, /inference): /invocations, /pooling, /classify, /score, /rerank, /tokenize, /pause and /update_weights stay unauthenticated on every interface. Keep the port behind a proxy that authenticates every path, or bind --host 127.0.0.1.')];
  }
  return [finding(meta, host ? flagRange(host) : cmd.invocation.program.range, CATALOG_SEVERITY.medium,
    `vLLM listens on all interfaces (${host ? `--host ${host.value}` : '--host unset: vLLM binds every interface'}) without --api-key or VLLM_API_KEY: anyone who reaches port ${port} can run inference, and the unauthenticated extra endpoints stay open even with a key. Bind --host 127.0.0.1 behind an authenticating proxy, and set an API key.`,
    hostFix(ctx, cmd, 'host', host), relatedOf(externalPorts(cmd.invocation, [port])))];
}

function tgi(cmd: ServingCommand, ctx: RuleContext): Finding[] {
  const host = flag(cmd, 'hostname');
  if (host && (host.value === undefined || !host.resolved || !isAnyAddress(host.value))) return [];
  if (flag(cmd, 'api-key') || cmd.env.get('API_KEY')) return [];
  const portFlag = flag(cmd, 'port')?.value ?? cmd.env.get('PORT')?.value;
  const ports = portFlag && /^\d+$/.test(portFlag) ? [Number(portFlag)] : [3000, 80];
  const published = externalPorts(cmd.invocation, ports);
  if (published.length === 0) return [];
  return [finding(meta, host ? flagRange(host) : cmd.invocation.program.range, CATALOG_SEVERITY.medium,
    `text-generation-launcher listens on ${host ? host.value : 'all interfaces (--hostname defaults to 0.0.0.0)'} without --api-key / API_KEY, and port ${published[0].port} is published: anyone who reaches it can run inference. Set an API key (from a secret) or keep the port private behind an authenticating proxy.`,
    hostFix(ctx, cmd, 'hostname', host), relatedOf(published))];
}

function ovms(cmd: ServingCommand): Finding[] {
  const out: Finding[] = [];
  for (const [portName, bindName, proto] of [['rest_port', 'rest_bind_address', 'REST'], ['port', 'grpc_bind_address', 'gRPC']] as const) {
    const port = flag(cmd, portName);
    if (!port || port.value === undefined || port.value === '0') continue;
    const bind = flag(cmd, bindName);
    if (bind && (bind.value === undefined || !bind.resolved || !bind.value.split(',').some(isAnyAddress))) continue;
    out.push(finding(meta, bind ? flagRange(bind) : flagRange(port), CATALOG_SEVERITY.medium,
      `OpenVINO Model Server serves ${proto} on port ${port.value} on ${bind ? bind.value : 'all interfaces (--' + bindName + ' defaults to 0.0.0.0)'}; OVMS has no access control on its endpoints (an API key covers only the /v3 generative endpoints), so anyone who reaches the port can run inference and read model metadata. Bind to 127.0.0.1,::1 behind an authenticating proxy.`,
      undefined, relatedOf(externalPorts(cmd.invocation, [Number(port.value)]))));
  }
  return out;
}

function llama(cmd: ServingCommand): Finding[] {
  const host = flag(cmd, 'host');
  const envHost = cmd.env.get('LLAMA_ARG_HOST');
  const value = host?.value ?? envHost?.value;
  if (value === undefined || !isAnyAddress(value) || (host && !host.resolved)) return [];
  if (flag(cmd, 'api-key', 'api-key-file') || cmd.env.get('LLAMA_API_KEY') || cmd.env.get('LLAMA_ARG_API_KEY') || cmd.env.get('LLAMA_ARG_API_KEY_FILE')) return [];
  const range = host ? flagRange(host) : envHost!.valueRange ?? envHost!.range;
  return [finding(meta, range, CATALOG_SEVERITY.medium,
    `llama-server listens on ${value} (its default is 127.0.0.1) without --api-key / --api-key-file / LLAMA_API_KEY: anyone who reaches the port can run completions and use the slot and props endpoints. Add --api-key-file with a key from a secret, or bind to 127.0.0.1.`)];
}

const TORCHSERVE_ADMIN = [8081, 7071];
const TRITON_METRICS = 8002;

/** Ports whose publication is risky by themselves: TorchServe management, Triton HTTP/gRPC with dynamic model loading. */
function adminPorts(cmd: ServingCommand): { ports: number[]; why: string } | undefined {
  if (cmd.program === 'torchserve') return { ports: TORCHSERVE_ADMIN, why: 'the TorchServe management API (register, scale and delete models)' };
  const t = tritonCommand(cmd);
  if (t?.mode && (t.mode.value === 'explicit' || t.mode.value === 'poll')) {
    return { ports: [t.http.port, t.grpc.port], why: `Triton with --model-control-mode=${t.mode.value} (the model-repository API loads models at run time)` };
  }
  return undefined;
}

function imageKind(context: InvocationContext): 'torchserve' | 'triton' | undefined {
  const image = (context.image ?? '').toLowerCase();
  if (image.includes('torchserve')) return 'torchserve';
  if (image.includes('tritonserver')) return 'triton';
  return undefined;
}

export function checkExposedServing(facts: ServingFacts, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const reported = new Set<string>();
  const key = (r: Range) => `${r.start.line}:${r.start.character}`;
  const servers = new Map<string, Set<string>>();
  for (const inv of facts.invocations) {
    const cmd = servingCommand(inv);
    if (!cmd) continue;
    const owner = inv.context.owner ?? '';
    if (!servers.has(owner)) servers.set(owner, new Set());
    servers.get(owner)!.add(cmd.program === 'tritonserver' && tritonCommand(cmd)?.mode?.value && ['explicit', 'poll'].includes(tritonCommand(cmd)!.mode!.value) ? 'triton-dynamic' : cmd.program);
    if (cmd.program === 'vllm') out.push(...vllm(cmd, ctx));
    else if (cmd.program === 'tgi') out.push(...tgi(cmd, ctx));
    else if (cmd.program === 'ovms') out.push(...ovms(cmd));
    else if (cmd.program === 'llama-server') out.push(...llama(cmd));
    // Published administrative ports (a Service or compose mapping in this file).
    const admin = adminPorts(cmd);
    if (!admin) continue;
    for (const p of (inv.context.publishedPorts ?? []).filter((x) => x.external && admin.ports.includes(x.port) && x.range && !x.uri)) {
      if (reported.has(key(p.range!))) continue;
      reported.add(key(p.range!));
      out.push(finding(meta, p.range!, CATALOG_SEVERITY.medium,
        `Port ${p.port} is published${p.serviceName ? ` by ${p.serviceType ?? ''} Service ${p.serviceName}`.replace('  ', ' ') : p.hostAddress === undefined ? ' on all host interfaces' : ` on ${p.hostAddress}`}, and it serves ${admin.why}, which has no authentication. Keep it private (ClusterIP without an ingress, or a 127.0.0.1: host binding) or put an authenticating proxy in front.`));
    }
  }
  // EXPOSE of administrative ports (documentation only, but it advertises them): TorchServe 8081/7071, Triton 8002, Triton 8000/8001 with dynamic loading.
  const contexts = [...facts.environments.map((e) => e.context), ...facts.invocations.map((i) => i.context)];
  for (const context of contexts) {
    const kinds = servers.get(context.owner ?? '') ?? new Set<string>();
    const image = imageKind(context);
    for (const p of context.publishedPorts ?? []) {
      if (p.via !== 'dockerfile-expose' || !p.range || reported.has(key(p.range))) continue;
      let why: string | undefined;
      if (TORCHSERVE_ADMIN.includes(p.port) && (kinds.has('torchserve') || image === 'torchserve')) why = 'the TorchServe management API';
      else if (p.port === TRITON_METRICS && (kinds.has('tritonserver') || kinds.has('triton-dynamic') || image === 'triton')) why = 'Triton metrics';
      else if ((p.port === 8000 || p.port === 8001) && kinds.has('triton-dynamic')) why = 'Triton with run-time model loading (explicit/poll model control)';
      if (!why) continue;
      reported.add(key(p.range));
      out.push(finding(meta, p.range, CATALOG_SEVERITY.low, `EXPOSE ${p.port} advertises ${why}, which has no authentication; whoever runs the image with -P publishes it. Leave administrative ports out of EXPOSE and publish them only to a private network.`));
    }
  }
  return out;
}

export const servingExposedWithoutAuth = defineRule({
  meta,
  check: { serving: checkExposedServing },
});
