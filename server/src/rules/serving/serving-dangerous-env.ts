import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Severity } from '../../engine/types';
import type { EnvVar, ServingFacts } from '../../invocations/types';
import type { PropertiesFacts } from '../../languages/properties/facts';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from '../triton/model-folder';
import { boolValue, flag, flagRange, servingCommand, type ServingCommand } from './command';
import { allEnv, envRange, javaTrue, propertyValue, replaceEntryValue, sourcesOf } from './torchserve-config';

const meta: RuleMeta = {
  id: 'serving-dangerous-env',
  title: 'Dangerous serving feature switched on',
  summary: 'An environment variable, flag or config key switches on a dangerous serving feature: VLLM_SERVER_DEV_MODE, runtime LoRA updates, local-media access, MLflow pickle deserialization, OVMS media/CORS wildcards, TorchServe per-model pip installs, HF_ENDPOINT on a foreign host.',
  group: 'serving',
  defaultSeverity: 'error',
  fixable: 'sometimes',
  catalog: ['DK307', 'SV713', 'SV722', 'SV723', 'SV742', 'PY116', 'PY207'],
  references: [
    { title: 'vLLM security guide', url: 'https://docs.vllm.ai/en/latest/usage/security.html' },
    { title: 'vLLM LoRA adapters (runtime updates)', url: 'https://docs.vllm.ai/en/latest/features/lora.html' },
    { title: 'MLflow: pickle deserialization (CVE-2024-37052..37060)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-37052' },
    { title: 'OpenVINO Model Server parameters', url: 'https://docs.openvino.ai/2025/model-server/ovms_docs_parameters.html' },
    { title: 'TorchServe configuration', url: 'https://github.com/pytorch/serve/blob/master/docs/configuration.md' },
  ],
};

/** Truthy as Python reads these variables (`1`, `true`, `yes`, case-insensitive). */
function pyTruthy(e: EnvVar): boolean {
  return boolValue(e.value) === true;
}

interface EnvCheck { severity: Severity; message: (e: EnvVar) => string | undefined }

const ENV_CHECKS: Record<string, EnvCheck> = {
  VLLM_SERVER_DEV_MODE: {
    severity: CATALOG_SEVERITY.critical,
    message: (e) => pyTruthy(e) ? 'VLLM_SERVER_DEV_MODE=1 adds development endpoints to the vLLM server without authentication, including /collective_rpc (calls arbitrary methods on the workers: "extremely dangerous" per vLLM\'s security guide), /sleep and /reset_*. Never set it outside a local development machine.' : undefined,
  },
  VLLM_ALLOW_RUNTIME_LORA_UPDATING: {
    severity: CATALOG_SEVERITY.high,
    message: (e) => pyTruthy(e) ? 'VLLM_ALLOW_RUNTIME_LORA_UPDATING=True (with --enable-lora) lets any API client load LoRA adapters from paths or Hub repositories at run time through /v1/load_lora_adapter; vLLM documents it as not a secure operation. Load adapters at start-up with --lora-modules instead.' : undefined,
  },
  MLFLOW_ALLOW_PICKLE_DESERIALIZATION: {
    severity: CATALOG_SEVERITY.high,
    message: (e) => pyTruthy(e) ? 'MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true lets MLflow unpickle model artifacts (CVE-2024-37052..37060 class): loading a model from a tracking server or registry then runs whatever code its pickle holds. Keep it unset and use a non-pickle flavor.' : undefined,
  },
  HF_ENDPOINT: {
    severity: CATALOG_SEVERITY.low,
    message: (e) => {
      if (!e.value) return undefined;
      const host = /^[a-z]+:\/\/([^/:]+)/i.exec(e.value.trim())?.[1]?.toLowerCase();
      if (!host || host === 'huggingface.co' || host.endsWith('.huggingface.co') || host === 'hf.co') return undefined;
      return `HF_ENDPOINT=${e.value} sends every Hugging Face download (models, tokenizers, code for trust_remote_code) to ${host} instead of huggingface.co: that host decides which files, and which code, the server receives. Use it only for a mirror you operate, and pin revisions to commits.`;
    },
  },
  TS_INSTALL_PY_DEP_PER_MODEL: {
    severity: CATALOG_SEVERITY.medium,
    message: (e) => javaTrue(e.value) ? 'TS_INSTALL_PY_DEP_PER_MODEL=true (read when enable_envvars_config=true) makes TorchServe pip-install the requirements.txt of every registered .mar: a model archive then installs arbitrary packages (and their setup code) in the server.' : undefined,
  },
  VLLM_TORCH_PROFILER_DIR: {
    severity: CATALOG_SEVERITY.low,
    message: (e) => e.value ? `VLLM_TORCH_PROFILER_DIR enables vLLM's /start_profile and /stop_profile endpoints, which are unauthenticated and write traces to ${e.value}. Set it only while profiling.` : undefined,
  },
};

const TORCHSERVE_KEYS: Record<string, { severity: Severity; test: (v: string) => boolean; message: string }> = {
  install_py_dep_per_model: { severity: CATALOG_SEVERITY.medium, test: javaTrue, message: 'install_py_dep_per_model=true makes TorchServe pip-install the requirements.txt of every registered .mar: a model archive then installs arbitrary packages (and runs their setup code) in the server. Bake dependencies into the image instead.' },
  use_env_allowed_urls: { severity: CATALOG_SEVERITY.low, test: javaTrue, message: 'use_env_allowed_urls=true lets the TS_ALLOWED_URLS environment variable replace allowed_urls, so the list of hosts models may be registered from is decided outside this file. Keep allowed_urls here, strict.' },
  cors_allowed_origin: { severity: CATALOG_SEVERITY.low, test: (v) => v.trim() === '*', message: 'cors_allowed_origin=* lets any web page a user opens call the TorchServe APIs from the browser (including the management API on localhost). Name the origins that need access.' },
};

function checkProperties(facts: PropertiesFacts | ServingFacts): Finding[] {
  const out: Finding[] = [];
  for (const source of sourcesOf(facts)) {
    for (const entry of source.doc.entries) {
      const check = TORCHSERVE_KEYS[entry.key];
      if (!check || !check.test(entry.value) || propertyValue(source.doc, entry.key) !== entry) continue;
      const fixes = entry.key === 'cors_allowed_origin' ? [] : [{ title: `Set ${entry.key}=false`, edits: [replaceEntryValue(entry, 'false')], safe: false, preferred: true }];
      out.push(finding(meta, entry.valueRange, check.severity, check.message, fixes));
    }
  }
  return out;
}

const BROAD = /^\/(home|root|tmp|var|etc|opt|usr|srv|mnt|data|models?)?\/?$/;

function vllmFlags(cmd: ServingCommand): Finding[] {
  const out: Finding[] = [];
  const tool = flag(cmd, 'tool-server');
  if (tool?.value?.split(',').map((s) => s.trim()).includes('demo')) {
    out.push(finding(meta, flagRange(tool), CATALOG_SEVERITY.medium, '--tool-server demo runs the demo code interpreter in a Docker container without network isolation: a prompt can make the model run code that reaches your network. Use a sandboxed tool server.'));
  }
  const tok = flag(cmd, 'enable-tokenizer-info-endpoint');
  if (tok && tok.enabled !== false) out.push(finding(meta, tok.item.range, CATALOG_SEVERITY.low, '--enable-tokenizer-info-endpoint adds an unauthenticated /tokenizer_info endpoint that discloses the tokenizer configuration, including the chat template.'));
  const prof = flag(cmd, 'profiler-config');
  if (prof) out.push(finding(meta, prof.item.range, CATALOG_SEVERITY.low, '--profiler-config enables vLLM\'s profiler endpoints, which are unauthenticated and write trace files on request. Enable it only while profiling.'));
  const media = flag(cmd, 'allowed-local-media-path');
  if (media?.value) {
    const broad = BROAD.test(media.value.trim());
    out.push(finding(meta, flagRange(media), broad ? CATALOG_SEVERITY.high : CATALOG_SEVERITY.medium,
      `--allowed-local-media-path ${media.value} lets API requests read local files under ${media.value} as images or videos${broad ? ' — a broad folder that holds far more than media (model files, secrets, caches)' : ''}; vLLM calls this a security risk for untrusted environments. Point it at a dedicated media folder, or leave it unset.`));
  }
  const domains = flag(cmd, 'allowed-media-domains');
  const redirects = cmd.env.get('VLLM_MEDIA_URL_ALLOW_REDIRECTS');
  if (domains && redirects && redirects.value !== undefined && redirects.value.trim() !== '0') {
    out.push(finding(meta, envRange(redirects), CATALOG_SEVERITY.low, `VLLM_MEDIA_URL_ALLOW_REDIRECTS=${redirects.value} lets an allowed media domain redirect vLLM to any host, which defeats --allowed-media-domains (SSRF). Set it to 0.`));
  }
  return out;
}

function ovmsFlags(cmd: ServingCommand): Finding[] {
  const out: Finding[] = [];
  const domains = flag(cmd, 'allowed_media_domains');
  if (domains?.value?.split(',').map((s) => s.trim().toLowerCase()).includes('all')) {
    out.push(finding(meta, flagRange(domains), CATALOG_SEVERITY.medium, '--allowed_media_domains all lets requests make OVMS download images from any URL (SSRF into your network). List the domains you serve media from.'));
  }
  const local = flag(cmd, 'allowed_local_media_path');
  if (local?.value && BROAD.test(local.value.trim())) {
    out.push(finding(meta, flagRange(local), CATALOG_SEVERITY.medium, `--allowed_local_media_path ${local.value} lets requests read any file under ${local.value} as an image. Point it at a dedicated media folder.`));
  }
  const origins = flag(cmd, 'allowed_origins');
  if (origins?.value?.trim() === '*') {
    out.push(finding(meta, flagRange(origins), CATALOG_SEVERITY.low, '--allowed_origins * lets any web page call the model server from a user\'s browser. Name the origins that need access.'));
  }
  return out;
}

export function checkDangerousEnvServing(facts: ServingFacts, _ctx: RuleContext): Finding[] {
  const out = checkProperties(facts);
  for (const { env } of allEnv(facts)) {
    const check = ENV_CHECKS[env.name];
    const message = check?.message(env);
    if (check && message) out.push(finding(meta, envRange(env), check.severity, message));
  }
  for (const inv of facts.invocations) {
    const cmd = servingCommand(inv);
    if (!cmd) continue;
    if (cmd.program === 'vllm') out.push(...vllmFlags(cmd));
    else if (cmd.program === 'ovms') out.push(...ovmsFlags(cmd));
    else if (cmd.program === 'torchserve' && !flag(cmd, 'stop')) {
      out.push(finding(meta, inv.program.range, CATALOG_SEVERITY.info, 'TorchServe is in limited maintenance: the project announced it no longer ships security patches. Plan a migration, and keep the management API private and token authorization on meanwhile.'));
    }
  }
  return out;
}

export const servingDangerousEnv = defineRule({
  meta,
  check: {
    properties: (facts) => checkProperties(facts),
    serving: checkDangerousEnvServing,
  },
});
