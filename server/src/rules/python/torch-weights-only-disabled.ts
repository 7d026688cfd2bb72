import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { stringValue, type PyValue } from '../../languages/python/values';
import { CATALOG_SEVERITY, finding } from './call-matching';

const VARIABLE = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD';
const SAFETY_CHECK = 'check_torch_load_is_safe';

const meta: RuleMeta = {
  id: 'torch-weights-only-disabled',
  title: 'weights_only protection switched off for the whole process',
  summary: 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD is set, or transformers\' check_torch_load_is_safe is patched out, so every torch.load unpickles arbitrary objects.',
  group: 'python',
  defaultSeverity: 'error',
  fixable: 'none',
  catalog: ['PY104', 'PY105'],
  references: [
    { title: 'torch.load: TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', url: 'https://pytorch.org/docs/stable/notes/serialization.html#weights-only' },
    { title: 'CVE-2025-32434', url: 'https://github.com/advisories/GHSA-53q9-r3pm-6pq6' },
  ],
};

/** torch reads the variable as true for "1", "y", "yes" and "true" in any case. */
function enables(v: PyValue): boolean {
  const s = stringValue(v);
  if (s !== undefined) return /^(1|y|yes|true)$/i.test(s.trim());
  return v.kind === 'number' ? v.value === 1 : v.kind === 'bool' ? v.value : false;
}

export const torchWeightsOnlyDisabled = defineRule({
  meta,
  triggers: [VARIABLE, SAFETY_CHECK],
  check: {
    python(facts) {
      const out: Finding[] = [];
      const report = (range: Finding['range']) =>
        out.push(finding(meta, range, CATALOG_SEVERITY.high,
          `Setting ${VARIABLE} makes every torch.load without weights_only=True unpickle arbitrary objects; remove it and load with weights_only=True (allow extra types with torch.serialization.add_safe_globals).`));
      for (const e of facts.envAssignments) if (e.name === VARIABLE && enables(e.value)) report(e.range);
      for (const call of facts.calls) {
        const q = call.qname;
        if (q === 'os.environ.setdefault' || q === 'os.putenv') {
          const [k, v] = call.positional;
          if (k && v && stringValue(k.value) === VARIABLE && enables(v.value)) report(call.range);
        } else if (q === 'os.environ.update') {
          const d = call.positional[0]?.value;
          const v = d?.kind === 'dict' ? d.entries.get(VARIABLE) : call.keywords.get(VARIABLE)?.value;
          if (v && enables(v)) report(call.range);
        } else if ((q === 'setattr' || call.methodName === 'setattr') && call.positional.some((a) => stringValue(a.value) === SAFETY_CHECK)) {
          out.push(tamper(call.range));
        } else if ((q === 'unittest.mock.patch' || q === 'mock.patch') && call.positional.some((a) => (stringValue(a.value) ?? '').endsWith(`.${SAFETY_CHECK}`))) {
          out.push(tamper(call.range));
        }
      }
      for (const a of facts.attributeAssignments) if (a.target.startsWith('transformers.') && a.target.endsWith(`.${SAFETY_CHECK}`)) out.push(tamper(a.range));
      return out;
    },
  },
});

function tamper(range: Finding['range']): Finding {
  return finding(meta, range, CATALOG_SEVERITY.high,
    `Patching out transformers' ${SAFETY_CHECK} re-enables pickle checkpoint loading on torch < 2.6 (CVE-2025-32434); upgrade torch to 2.6 or later, or use safetensors weights, instead.`);
}

