import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix, Range } from '../../engine/types';
import type { EnvVar, ServingFacts } from '../../invocations/types';
import type { PropertiesFacts } from '../../languages/properties/facts';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from '../triton/model-folder';
import { itemSubRange } from './command';
import { allEnv, envNameOf, propertyValue, rawValue, rawValueRange, sourcesOf } from './torchserve-config';

const meta: RuleMeta = {
  id: 'torchserve-bind-all',
  title: 'TorchServe API bound to all interfaces',
  summary: 'A TorchServe inference, management, metrics or gRPC address is 0.0.0.0 (the upstream docker/config.properties does this), so the API listens on every interface; the management API is the dangerous one.',
  group: 'serving',
  defaultSeverity: 'warning',
  fixable: 'sometimes',
  catalog: ['SV712'],
  references: [
    { title: 'TorchServe configuration', url: 'https://github.com/pytorch/serve/blob/master/docs/configuration.md' },
    { title: 'TorchServe security', url: 'https://github.com/pytorch/serve/blob/master/docs/security.md' },
    { title: 'CVE-2023-43654 (ShellTorch)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-43654' },
  ],
};

const URL_KEYS = ['inference_address', 'management_address', 'metrics_address'];
const HOST_KEYS = ['grpc_inference_address', 'grpc_management_address'];
const ANY = new Set(['0.0.0.0', '[::]', '::', '0:0:0:0:0:0:0:0', '[0:0:0:0:0:0:0:0]']);

/** The host of an address value and its offset in the value: `http://0.0.0.0:8080` → 0.0.0.0 at 7. */
export function addressHost(value: string): { host: string; offset: number } | undefined {
  const m = /^\s*(?:https?:\/\/)?(\[[^\]]*\]|[^:/\s]+)/i.exec(value);
  if (!m) return undefined;
  return { host: m[1], offset: m.index + m[0].length - m[1].length };
}

function describe(key: string): { what: string; severity: 'error' | 'warning' } {
  const management = key.includes('management');
  const what = key.startsWith('grpc_') ? `the gRPC ${management ? 'management' : 'inference'} API` : `the ${key.replace('_address', '')} API`;
  return { what, severity: management ? CATALOG_SEVERITY.high : CATALOG_SEVERITY.medium };
}

function message(origin: string, key: string, what: string): string {
  const management = key.includes('management');
  return `${origin} binds ${what} to all interfaces (TorchServe's default is 127.0.0.1 since 0.9.0).${management ? ' The management API registers, scales and deletes models; reachable from other hosts, it is the entry point of ShellTorch (CVE-2023-43654).' : ' Anyone who reaches the host or a published port can call it.'} Bind to 127.0.0.1 and put an authenticating proxy in front, or keep the port private.`;
}

function checkProperties(facts: PropertiesFacts | ServingFacts): Finding[] {
  const out: Finding[] = [];
  for (const source of sourcesOf(facts)) {
    for (const entry of source.doc.entries) {
      const isUrl = URL_KEYS.includes(entry.key);
      if ((!isUrl && !HOST_KEYS.includes(entry.key)) || propertyValue(source.doc, entry.key) !== entry) continue;
      const raw = rawValue(source.doc, entry);
      const h = addressHost(raw);
      if (!h || !ANY.has(h.host)) continue;
      const range = rawValueRange(source.doc, entry, h.offset, h.offset + h.host.length);
      const d = describe(entry.key);
      out.push(finding(meta, range, d.severity, message(`${entry.key} (host ${h.host}${source.origin === 'configmap' ? `, in ${source.name}` : ''})`, entry.key, d.what),
        [{ title: `Bind ${entry.key} to 127.0.0.1`, edits: [{ range, newText: '127.0.0.1' }], safe: false, preferred: true }]));
    }
  }
  return out;
}

function envHostRange(env: EnvVar, h: { host: string; offset: number }): Range | undefined {
  if (!env.valueRange || env.value === undefined) return undefined;
  return itemSubRange({ value: env.value, range: env.valueRange, resolved: true }, h.offset, h.offset + h.host.length);
}

export function checkBindAllServing(facts: ServingFacts, _ctx: RuleContext): Finding[] {
  const out = checkProperties(facts);
  const names = new Map([...URL_KEYS, ...HOST_KEYS].map((k) => [envNameOf(k), k]));
  for (const { env } of allEnv(facts)) {
    const key = names.get(env.name);
    if (!key || env.value === undefined) continue;
    const h = addressHost(env.value);
    if (!h || !ANY.has(h.host)) continue;
    const range = envHostRange(env, h);
    const d = describe(key);
    const fixes: Fix[] = range ? [{ title: `Bind ${env.name} to 127.0.0.1`, edits: [{ range, newText: '127.0.0.1' }], safe: false, preferred: true }] : [];
    out.push(finding(meta, range ?? env.valueRange ?? env.range, d.severity, message(`${env.name}=${env.value.length > 60 ? `${env.value.slice(0, 60)}…` : env.value} (read when enable_envvars_config=true)`, key, d.what), fixes));
  }
  return out;
}

export const torchserveBindAll = defineRule({
  meta,
  triggers: ['_ADDRESS', '_address'],
  check: {
    properties: (facts) => checkProperties(facts),
    serving: checkBindAllServing,
  },
});
