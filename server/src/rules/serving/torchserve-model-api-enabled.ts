import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import type { ServingFacts } from '../../invocations/types';
import type { PropertiesFacts, PropertiesSource } from '../../languages/properties/facts';
import { parseProperties } from '../../languages/properties/parser';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from '../triton/model-folder';
import { flag, servingCommand } from './command';
import { allEnv, allowsAnyHost, envRange, insertAfterEntry, javaTrue, propertyValue, replaceEntryValue, sourcesOf } from './torchserve-config';
import { addressHost } from './torchserve-bind-all';

const meta: RuleMeta = {
  id: 'torchserve-model-api-enabled',
  title: 'TorchServe model register/delete API switched on',
  summary: 'TorchServe\'s model API (register and delete models over the management API) is enabled; critical with the default allowed_urls (any URL) or a management API on all interfaces (ShellTorch, CVE-2023-43654).',
  group: 'serving',
  defaultSeverity: 'error',
  fixable: 'sometimes',
  catalog: ['SV711'],
  references: [
    { title: 'TorchServe model API control', url: 'https://github.com/pytorch/serve/blob/master/docs/model_api_control.md' },
    { title: 'CVE-2023-43654 (ShellTorch SSRF / remote model registration)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-43654' },
    { title: 'CVE-2024-35198 (allowed_urls bypass)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-35198' },
    { title: 'TorchServe configuration (allowed_urls)', url: 'https://github.com/pytorch/serve/blob/master/docs/configuration.md' },
  ],
};

interface Exposure { anyUrl?: string; managementAll?: boolean; known: boolean }

function exposureOf(source: PropertiesSource | undefined): Exposure {
  if (!source) return { known: false };
  const allowed = propertyValue(source.doc, 'allowed_urls');
  const mgmt = propertyValue(source.doc, 'management_address');
  const host = mgmt ? addressHost(mgmt.value)?.host : undefined;
  return {
    known: true,
    ...(allowed ? (allowsAnyHost(allowed.value) ? { anyUrl: `allowed_urls=${allowed.value}` } : {}) : { anyUrl: 'allowed_urls is not set (the default file://.*|http(s)?://.* accepts any URL)' }),
    ...(host && (host === '0.0.0.0' || host === '[::]' || host === '::') ? { managementAll: true } : {}),
  };
}

function message(prefix: string, e: Exposure): { text: string; critical: boolean } {
  const reasons = [e.anyUrl, e.managementAll ? 'the management API listens on all interfaces' : undefined].filter(Boolean);
  const critical = reasons.length > 0;
  const base = `${prefix} enables TorchServe's model API: clients of the management API can register models from a URL and delete models. A .mar archive is code (its handler runs in the worker).`;
  if (critical) return { critical, text: `${base} Critical here: ${reasons.join('; ')}, which is the ShellTorch chain (CVE-2023-43654): anyone who reaches the API can make the server download and run a model. Keep the model API off, or set a strict allowed_urls (your bucket only) and bind the management API to 127.0.0.1.` };
  return { critical, text: `${base}${e.known ? ' allowed_urls is restricted and the management API is not on all interfaces; still keep the management API private.' : ' Keep it off, or pair it with a strict allowed_urls and a management API bound to 127.0.0.1.'}` };
}

function checkProperties(facts: PropertiesFacts | ServingFacts): Finding[] {
  const out: Finding[] = [];
  for (const source of sourcesOf(facts)) {
    for (const entry of source.doc.entries) {
      if (entry.key !== 'enable_model_api' || !javaTrue(entry.value) || propertyValue(source.doc, entry.key) !== entry) continue;
      const e = exposureOf(source);
      const m = message('enable_model_api=true', e);
      const fixes: Fix[] = [{ title: 'Set enable_model_api=false', edits: [replaceEntryValue(entry, 'false')], safe: false, preferred: true }];
      if (!propertyValue(source.doc, 'allowed_urls')) {
        const edit = insertAfterEntry(source, entry, 'allowed_urls=${1:https://your-bucket.s3.amazonaws.com/.*}');
        if (edit) fixes.push({ title: 'Restrict allowed_urls to your own model store', edits: [edit], safe: false, snippet: true });
      }
      out.push(finding(meta, entry.valueRange, m.critical ? CATALOG_SEVERITY.critical : CATALOG_SEVERITY.high, m.text, fixes));
    }
  }
  return out;
}

export function checkModelApiServing(facts: ServingFacts, ctx: RuleContext): Finding[] {
  const out = checkProperties(facts);
  const configMap = sourcesOf(facts)[0];
  for (const { env } of allEnv(facts)) {
    if (env.name !== 'TS_ENABLE_MODEL_API' || !javaTrue(env.value)) continue;
    const m = message('TS_ENABLE_MODEL_API=true (read when enable_envvars_config=true)', exposureOf(configMap));
    out.push(finding(meta, envRange(env), m.critical ? CATALOG_SEVERITY.critical : CATALOG_SEVERITY.high, m.text));
  }
  for (const inv of facts.invocations) {
    const cmd = servingCommand(inv);
    if (cmd?.program !== 'torchserve') continue;
    const use = flag(cmd, 'enable-model-api');
    if (!use) continue;
    // The config file named by --ts-config, when it is in the workspace.
    const configPath = flag(cmd, 'ts-config', 'ts_config')?.value;
    const text = configPath ? ctx.workspace.readTextFile?.(configPath, ctx.uri) : undefined;
    const source: PropertiesSource | undefined = text !== undefined ? { doc: parseProperties(text), origin: 'file', name: configPath! } : configMap;
    const m = message('torchserve --enable-model-api', exposureOf(source));
    out.push(finding(meta, use.item.range, m.critical ? CATALOG_SEVERITY.critical : CATALOG_SEVERITY.high, m.text));
  }
  return out;
}

export const torchserveModelApiEnabled = defineRule({
  meta,
  triggers: ['enable_model_api', 'ENABLE_MODEL_API', 'enable-model-api'],
  check: {
    properties: (facts) => checkProperties(facts),
    serving: checkModelApiServing,
  },
});
