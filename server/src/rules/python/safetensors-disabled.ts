import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { describeOrigin, isFalse, stringValue, type PyValue } from '../../languages/python/values';
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

/** A glob whose file extension is left open (`*`, `unet/*`, `model*`, `*.*`), so it selects files of any type. */
function anyExtension(p: string): boolean {
  const base = p.split('/').pop() ?? p;
  const ext = /\.([^.]+)$/.exec(base)?.[1];
  return ext === undefined ? /[*?]$/.test(base) : /[*?[]/.test(ext);
}

const mayMatchSafetensors = (p: string) => /safetensors/i.test(p) || anyExtension(p);
const mayMatchPickle = (p: string) => PICKLE_WEIGHTS.test(p) || anyExtension(p);

export const safetensorsDisabled = defineRule({
  meta,
  triggers: ['use_safetensors', 'weights_name', 'weight_name', 'allow_patterns', 'ignore_patterns'],
  check: {
    python(facts, ctx) {
      const out: Finding[] = [];
      for (const load of hubLoads(facts, ctx)) {
        const call = load.call;
        const use = call.keywords.get('use_safetensors');
        if (use && isFalse(use.value)) {
          out.push(finding(meta, use.itemRange, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` with use_safetensors=False${describeOrigin(use.value)} loads pickle (.bin) weights, which can run code; set use_safetensors=True and convert the checkpoint if needed.`,
            use.fromSplat || use.value.origin?.kind !== 'literal' ? [] : [replaceFix('Set use_safetensors=True', use.range, 'True', false)]));
        }
        const weightsName = call.keywords.get('weights_name') ?? call.keywords.get('weight_name');
        const wn = stringValue(weightsName?.value);
        if (weightsName && wn && PICKLE_WEIGHTS.test(wn)) {
          out.push(finding(meta, weightsName.itemRange, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` asks for the pickle weights file "${wn}", which can run code when loaded; load the .safetensors weights instead.`));
        }
        const allow = argument(call, 'allow_patterns');
        const pats = patterns(allow?.value);
        // Weights come only in pickle form when some pattern selects pickle weights and none could select safetensors.
        if (allow && pats && pats.some((p) => PICKLE_WEIGHTS.test(p)) && !pats.some(mayMatchSafetensors)) {
          const pickled = pats.filter((p) => PICKLE_WEIGHTS.test(p));
          out.push(finding(meta, allow.itemRange, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` downloads only pickle weight files (${pickled.join(', ')}), which run code when loaded; include "*.safetensors" and load those.`));
        }
        const ignore = argument(call, 'ignore_patterns');
        const ignored = patterns(ignore?.value);
        const allowsPickle = !allow || (pats !== undefined && pats.some(mayMatchPickle));
        if (ignore && ignored && ignored.some((p) => /safetensors/i.test(p)) && allowsPickle) {
          out.push(finding(meta, ignore.itemRange, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` skips the .safetensors files, so the pickle weights of the repository are what gets loaded, which can run code; drop "*.safetensors" from ignore_patterns (ignore "*.bin" / "*.pt" instead).`));
        }
      }
      return out;
    },
  },
});
