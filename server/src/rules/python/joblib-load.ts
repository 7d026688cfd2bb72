import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { isTrue } from '../../languages/python/values';
import { argument, CATALOG_SEVERITY, callsTo, finding } from './call-matching';

const JOBLIB = new Set(['joblib.load', 'sklearn.externals.joblib.load', 'joblib.numpy_pickle.load']);
const SKOPS = new Set(['skops.io.load', 'skops.io.loads']);

const meta: RuleMeta = {
  id: 'joblib-load',
  title: 'joblib.load unpickles its input',
  summary: 'joblib.load is pickle underneath and runs code embedded in the file; skops told to trust every type is no better.',
  group: 'python',
  defaultSeverity: 'warning',
  fixable: 'none',
  catalog: ['PY111', 'PY118'],
  references: [
    { title: 'joblib.load security note', url: 'https://joblib.readthedocs.io/en/stable/generated/joblib.load.html' },
    { title: 'scikit-learn: model persistence security', url: 'https://scikit-learn.org/stable/model_persistence.html' },
  ],
};

export const joblibLoad = defineRule({
  meta,
  triggers: ['joblib', 'skops'],
  check: {
    python(facts) {
      const out: Finding[] = [];
      for (const call of callsTo(facts, JOBLIB)) {
        out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
          `\`${call.calleeText}\` unpickles the file and runs any code embedded in it; load only files you produced, or persist models with skops (explicit trusted types) or ONNX.`));
      }
      for (const call of callsTo(facts, SKOPS)) {
        const trusted = argument(call, 'trusted', 1);
        if (trusted && isTrue(trusted.value)) {
          out.push(finding(meta, trusted.itemRange, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` with trusted=True accepts every type in the file, which defeats skops' protection; pass the explicit list of types you reviewed.`));
        } else if (trusted && trusted.value.kind === 'call' && /(^|\.)get_untrusted_types$/.test(trusted.value.callee)) {
          out.push(finding(meta, trusted.itemRange, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` with trusted= set to get_untrusted_types(...) trusts whatever types the file names, which defeats skops' protection; pass the explicit list of types you reviewed.`));
        }
      }
      return out;
    },
  },
});
