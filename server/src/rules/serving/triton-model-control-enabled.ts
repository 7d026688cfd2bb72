import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import type { ServingFacts } from '../../invocations/types';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from '../triton/model-folder';
import { replaceValueEdit } from './arg-edits';
import { flagRange, servingCommand } from './command';
import { describeEndpoint, reachable, relatedPorts, tritonCommand } from './triton-command';

const meta: RuleMeta = {
  id: 'triton-model-control-enabled',
  title: 'Triton loads models at run time (explicit or poll model control)',
  summary: 'tritonserver runs with --model-control-mode=explicit or poll, so models (which are code) can be loaded while it runs: through the model-repository API, or by changing the watched repository.',
  group: 'serving',
  defaultSeverity: 'error',
  fixable: 'sometimes',
  catalog: ['SV701'],
  references: [
    { title: 'Triton deployment guide: secure deployment considerations', url: 'https://github.com/triton-inference-server/server/blob/main/docs/customization_guide/deploy.md' },
    { title: 'Triton model management', url: 'https://github.com/triton-inference-server/server/blob/main/docs/user_guide/model_management.md' },
    { title: 'CVE-2023-31036 (explicit model control path traversal)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-31036' },
    { title: 'CVE-2025-23316 (Python backend, model control API)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-23316' },
  ],
};

export function checkModelControl(facts: ServingFacts, _ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const inv of facts.invocations) {
    const cmd = servingCommand(inv);
    const t = cmd && tritonCommand(cmd);
    if (!t?.mode || (t.mode.value !== 'explicit' && t.mode.value !== 'poll')) continue;
    const enabled = [t.http, t.grpc].filter((e) => e.enabled);
    if (enabled.length === 0) continue; // no endpoint: nothing can call the load API, and poll only reads the repository
    const unrestricted = enabled.filter((e) => !e.restricted.has('model-repository'));
    const exposed = unrestricted.filter(reachable);
    const what = t.mode.value === 'explicit'
      ? '--model-control-mode=explicit lets clients load, unload and upload models (model files plus a config override) through the model-repository API while Triton runs.'
      : '--model-control-mode=poll loads whatever appears in the model repository while Triton runs, and the model-repository API can load models too.';
    let message: string;
    let severity;
    if (unrestricted.length === 0) {
      severity = CATALOG_SEVERITY.medium;
      message = `${what} The model-repository API is restricted on every enabled protocol, so only clients with the restricted-API header can use it; keep that key secret, and prefer --model-control-mode=none in production.`;
    } else {
      severity = CATALOG_SEVERITY.critical;
      const where = unrestricted.map(describeEndpoint).join(' and ');
      message = `${what} The model-repository API is not restricted on ${where}${exposed.length ? '; that is reachable from other hosts, so anyone who reaches it can run code in the server (critical)' : ''}. A model is code (Python backend, custom ops): use --model-control-mode=none, or restrict model-repository with --http-restricted-api / --grpc-restricted-protocol.`;
    }
    const edit = replaceValueEdit(t.mode.use.valueRange, 'none');
    out.push({
      ...finding(meta, flagRange(t.mode.use), severity, message, edit ? [{ title: 'Use --model-control-mode=none (load models only at start-up)', edits: [edit], safe: false, preferred: true }] : undefined, relatedPorts(t)),
    });
  }
  return out;
}

export const tritonModelControlEnabled = defineRule({
  meta,
  triggers: ['model-control-mode'],
  check: { serving: checkModelControl },
});
