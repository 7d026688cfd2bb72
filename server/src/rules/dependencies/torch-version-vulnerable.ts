import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { allowsOnlyBelow } from '../../workspace/pep440';
import { CATALOG_SEVERITY, finding } from '../python/call-matching';

/** Text that shows the project loads checkpoints at all (then the torch pin matters). */
const LOADS_CHECKPOINTS = ['torch.load', 'weights_only', 'from_pretrained', 'load_state_dict_from_url'];

const meta: RuleMeta = {
  id: 'torch-version-vulnerable',
  title: 'torch pinned before 2.6 (CVE-2025-32434)',
  summary: 'The project pins torch < 2.6.0, where even torch.load(..., weights_only=True) can be bypassed to run code (CVE-2025-32434).',
  group: 'dependencies',
  defaultSeverity: 'error',
  fixable: 'none',
  catalog: ['PY102'],
  references: [
    { title: 'GHSA-53q9-r3pm-6pq6 / CVE-2025-32434', url: 'https://github.com/pytorch/pytorch/security/advisories/GHSA-53q9-r3pm-6pq6' },
  ],
};

export const torchVersionVulnerable = defineRule({
  meta,
  check: {
    requirements(facts, ctx) {
      const out: Finding[] = [];
      for (const req of facts.requirements) {
        if (req.name !== 'torch' || !allowsOnlyBelow(req, '2.6')) continue;
        if (!LOADS_CHECKPOINTS.some((n) => ctx.workspace.projectPythonContains(n, ctx.uri))) continue;
        out.push(finding(meta, req.range, CATALOG_SEVERITY.high,
          `torch${req.specifier} is before 2.6.0, where weights_only=True can be bypassed and a crafted checkpoint runs code (CVE-2025-32434); require torch>=2.6.0.`));
      }
      return out;
    },
  },
});
