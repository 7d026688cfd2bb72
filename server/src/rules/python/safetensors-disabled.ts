import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { isFalse, stringValue, type PyValue } from '../../languages/python/values';
import { argument, CATALOG_SEVERITY, finding, replaceFix } from './call-matching';
import { hubLoads } from './hub-loads';

const PICKLE_WEIGHTS = /\.(bin|pt|pth|ckpt|pkl|pickle)$/i;

const meta: RuleMeta = {
  id: 'safetensors-disabled',
  title: 'Opting out of safetensors for pickle weights',
  summary: 'use_safetensors=False, a *.bin weights_name, or download patterns that only fetch pickle weight files make the loader unpickle checkpoints instead of reading safetensors.',
  group: 'python',
  defaultSeverity: 'warning',
  fixable: 'sometimes',
  catalog: ['PY203'],
  references: [
    { title: 'transformers SECURITY.md (use_safetensors)', url: 'https://github.com/huggingface/transformers/blob/main/SECURITY.md' },
    { title: 'safetensors', url: 'https://huggingface.co/docs/safetensors' },
  ],
};

function patterns(v: PyValue | undefined): string[] | undefined {
  if (!v) return undefined;
  if (v.kind === 'string') return [v.value];
  if (v.kind === 'list') {
    const items = v.items.map(stringValue);
    return items.every((s): s is string => s !== undefined) ? items : undefined;
  }
  return undefined;
}

export const safetensorsDisabled = defineRule({
  meta,
  triggers: ['use_safetensors', 'weights_name', 'allow_patterns'],
  check: {
    python(facts, ctx) {
      const out: Finding[] = [];
      for (const load of hubLoads(facts, ctx)) {
        const call = load.call;
        const use = call.keywords.get('use_safetensors');
        if (use && isFalse(use.value)) {
          out.push(finding(meta, use.itemRange, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` with use_safetensors=False loads pickle (.bin) weights, which can run code; set use_safetensors=True and convert the checkpoint if needed.`,
            use.fromSplat ? [] : [replaceFix('Set use_safetensors=True', use.range, 'True', false)]));
        }
        const weightsName = call.keywords.get('weights_name');
        const wn = stringValue(weightsName?.value);
        if (weightsName && wn && PICKLE_WEIGHTS.test(wn)) {
          out.push(finding(meta, weightsName.itemRange, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` asks for the pickle weights file "${wn}", which can run code when loaded; load the .safetensors weights instead.`));
        }
        const allow = argument(call, 'allow_patterns');
        const pats = patterns(allow?.value);
        if (allow && pats && pats.length > 0 && pats.every((p) => PICKLE_WEIGHTS.test(p)) && !pats.some((p) => /safetensors/i.test(p))) {
          out.push(finding(meta, allow.itemRange, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` downloads only pickle weight files (${pats.join(', ')}), which run code when loaded; include "*.safetensors" and load those.`));
        }
      }
      return out;
    },
  },
});
