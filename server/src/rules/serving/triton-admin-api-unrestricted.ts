import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix, TextEdit } from '../../engine/types';
import type { ServingFacts } from '../../invocations/types';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from '../triton/model-folder';
import { boolValue, flag, flagRange, itemSubRange, servingCommand } from './command';
import { describeEndpoint, parseRestriction, reachable, relatedPorts, tritonCommand, type TritonEndpoint } from './triton-command';

const meta: RuleMeta = {
  id: 'triton-admin-api-unrestricted',
  title: 'Triton administrative APIs reachable without a restriction',
  summary: 'A reachable Triton leaves the logging, trace or shared-memory APIs unrestricted, or allows client shared memory: clients can redirect log files, start traces, or map memory into the server.',
  group: 'serving',
  defaultSeverity: 'warning',
  fixable: 'sometimes',
  catalog: ['SV703', 'SV704'],
  references: [
    { title: 'Triton deployment guide: restricting API access', url: 'https://github.com/triton-inference-server/server/blob/main/docs/customization_guide/deploy.md' },
    { title: 'CVE-2024-0087 (logging API writes arbitrary files)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-0087' },
    { title: 'CVE-2025-23319 (Python backend shared memory)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-23319' },
  ],
};

const ADMIN = ['logging', 'trace', 'shared-memory'];

/** Append categories to the first well-formed restriction group of an endpoint. */
function appendEdit(e: TritonEndpoint, missing: string[]): TextEdit | undefined {
  for (const use of e.restrictFlags) {
    if (use.value === undefined || !parseRestriction(use.value)) continue;
    const colon = use.value.indexOf(':');
    const item = use.valueItem ?? use.item;
    const offset = use.valueItem ? 0 : use.item.value.length - use.value.length;
    const at = itemSubRange(item, offset + colon, offset + colon);
    if (at) return { range: at, newText: missing.map((c) => `,${c}`).join('') };
  }
  return undefined;
}

export function checkAdminApi(facts: ServingFacts, _ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const inv of facts.invocations) {
    const cmd = servingCommand(inv);
    const t = cmd && tritonCommand(cmd);
    if (!cmd || !t) continue;
    const gaps = [t.http, t.grpc].filter(reachable).map((e) => ({ e, missing: ADMIN.filter((c) => !e.restricted.has(c)) })).filter((g) => g.missing.length > 0);
    if (gaps.length > 0) {
      const edits = gaps.map((g) => appendEdit(g.e, g.missing));
      const fixes: Fix[] = edits.every((x) => x) ? [{ title: 'Add the administrative categories to the existing restricted-API group', edits: edits as TextEdit[], safe: false, preferred: true }] : [];
      const detail = gaps.map((g) => `${g.missing.join(', ')} on ${describeEndpoint(g.e)}`).join('; ');
      out.push(finding(meta, inv.program.range, CATALOG_SEVERITY.medium,
        `Triton's administrative APIs are reachable without a restriction: ${detail}. The logging API can redirect the log file (CVE-2024-0087), trace settings write files, and shared-memory registration maps client memory into the server (CVE-2025-23319 chain). Restrict them with --http-restricted-api / --grpc-restricted-protocol=logging,trace,shared-memory:<header>=<secret>, or disable the protocol.`,
        fixes, relatedPorts(t)));
    }
    const shm = flag(cmd, 'allow-client-shm');
    if (shm && boolValue(shm.value ?? 'true') === true && [t.http, t.grpc].some(reachable)) {
      out.push(finding(meta, flagRange(shm), CATALOG_SEVERITY.medium,
        '--allow-client-shm=true lets clients register system and CUDA shared-memory regions that the server reads and writes; keep it off (the default since Triton 2.69) unless clients run on the same trusted host.'));
    }
  }
  return out;
}

export const tritonAdminApiUnrestricted = defineRule({
  meta,
  triggers: ['tritonserver'],
  check: { serving: checkAdminApi },
});
