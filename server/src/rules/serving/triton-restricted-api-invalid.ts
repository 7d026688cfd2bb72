import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import type { ServingFacts } from '../../invocations/types';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from '../triton/model-folder';
import { flagRange, flagsNamed, itemSubRange, servingCommand, type FlagUse } from './command';
import { RESTRICTED_CATEGORIES } from './triton-command';

const meta: RuleMeta = {
  id: 'triton-restricted-api-invalid',
  title: 'Malformed Triton restricted-API option',
  summary: 'A --http-restricted-api / --grpc-restricted-protocol value is not "<categories>:<key>=<value>", names an unknown category, or restricts a category twice; Triton refuses to start.',
  group: 'serving',
  defaultSeverity: 'error',
  fixable: 'none',
  catalog: ['SV702'],
  references: [
    { title: 'Triton deployment guide: restricting API access', url: 'https://github.com/triton-inference-server/server/blob/main/docs/customization_guide/deploy.md' },
    { title: 'Triton command_line_parser.cc', url: 'https://github.com/triton-inference-server/server/blob/main/src/command_line_parser.cc' },
  ],
};

const KNOWN = new Set<string>(RESTRICTED_CATEGORIES);

/** Range of the characters [from, to) of a flag's value. */
function valueSub(use: FlagUse, from: number, to: number) {
  const item = use.valueItem ?? use.item;
  const offset = use.valueItem ? 0 : use.item.value.length - (use.value?.length ?? 0);
  return itemSubRange(item, offset + from, offset + to) ?? flagRange(use);
}

export function checkRestrictedApi(facts: ServingFacts, _ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const inv of facts.invocations) {
    const cmd = servingCommand(inv);
    if (!cmd || cmd.program !== 'tritonserver') continue;
    for (const [flagName, protocol] of [['http-restricted-api', 'HTTP'], ['grpc-restricted-protocol', 'gRPC']] as const) {
      const seen = new Map<string, FlagUse>();
      for (const use of flagsNamed(cmd, flagName)) {
        if (use.value === undefined) {
          out.push(finding(meta, use.item.range, CATALOG_SEVERITY.critical, `--${flagName} needs a value of the form <categories>:<header>=<value>, e.g. model-repository,logging:admin-key=\${ADMIN_KEY}.`));
          continue;
        }
        const value = use.value;
        // A variable in the header value is fine (it should come from a secret); one in the categories cannot be checked.
        if (/[$`]/.test(value.split(':')[0])) continue;
        const colon = value.indexOf(':');
        const rest = colon >= 0 ? value.slice(colon + 1) : '';
        if (colon <= 0 || !/^[^=]+=.+$/.test(rest)) {
          if (!use.resolved) continue;
          out.push(finding(meta, flagRange(use), CATALOG_SEVERITY.critical, `--${flagName}=${value} is malformed: Triton expects <categories>:<header>=<value> (categories from ${RESTRICTED_CATEGORIES.join(', ')}, comma-separated) and refuses to start otherwise.`));
          continue;
        }
        let at = 0;
        for (const c of value.slice(0, colon).split(',')) {
          const r = valueSub(use, at, at + c.length);
          if (!KNOWN.has(c)) {
            out.push(finding(meta, r, CATALOG_SEVERITY.critical, `"${c}" is not a Triton API category; use one of ${RESTRICTED_CATEGORIES.join(', ')}.`));
          } else if (seen.has(c)) {
            out.push(finding(meta, r, CATALOG_SEVERITY.critical, `"${c}" is already restricted by another --${flagName} group (line ${seen.get(c)!.item.range.start.line + 1}); a ${protocol} category may appear in only one group, or Triton refuses to start.`));
          } else {
            seen.set(c, use);
          }
          at += c.length + 1;
        }
      }
    }
  }
  return out;
}

export const tritonRestrictedApiInvalid = defineRule({
  meta,
  triggers: ['restricted-'],
  check: { serving: checkRestrictedApi },
});
