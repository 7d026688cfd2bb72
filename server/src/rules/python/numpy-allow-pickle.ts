import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { describeOrigin, isTruthy } from '../../languages/python/values';
import { argument, CATALOG_SEVERITY, callsTo, finding } from './call-matching';

/** Readers that take `allow_pickle`, with its positional index. */
const NUMPY_LOAD = new Map([['numpy.load', 2], ['numpy.lib.npyio.load', 2], ['numpy.lib.format.read_array', 1]]);

const meta: RuleMeta = {
  id: 'numpy-allow-pickle',
  title: 'numpy.load with allow_pickle=True',
  summary: 'allow_pickle=True lets numpy.load unpickle object arrays, which runs code embedded in the .npy/.npz file.',
  group: 'python',
  defaultSeverity: 'warning',
  fixable: 'sometimes',
  catalog: ['PY112'],
  references: [
    { title: 'numpy.load (allow_pickle)', url: 'https://numpy.org/doc/stable/reference/generated/numpy.load.html' },
    { title: 'CVE-2019-6446', url: 'https://nvd.nist.gov/vuln/detail/CVE-2019-6446' },
  ],
};

export const numpyAllowPickle = defineRule({
  meta,
  triggers: ['allow_pickle'],
  check: {
    python(facts) {
      const out: Finding[] = [];
      for (const call of callsTo(facts, new Set(NUMPY_LOAD.keys()))) {
        const arg = argument(call, 'allow_pickle', NUMPY_LOAD.get(call.qname!));
        if (!arg || !isTruthy(arg.value)) continue;
        const removable = !arg.fromSplat && call.keywords.get('allow_pickle') === arg;
        out.push(finding(meta, arg.itemRange, CATALOG_SEVERITY.medium,
          `\`${call.calleeText}\` with allow_pickle=True${describeOrigin(arg.value)} unpickles object arrays and runs code embedded in the file; drop the argument and store plain numeric arrays.`,
          removable ? [{ title: 'Remove allow_pickle=True', edits: [facts.removeArgumentEdit(call, arg)], safe: true, preferred: true }] : []));
      }
      return out;
    },
  },
});
