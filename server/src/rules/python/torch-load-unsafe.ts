import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import { describeOrigin, isFalse, isTrue } from '../../languages/python/values';
import { argument, CATALOG_SEVERITY, callsTo, finding, replaceFix } from './call-matching';
import { torchLoadDefault } from './torch-version';

/** Loaders whose `weights_only` default follows torch's version (True from 2.6 unless `pickle_module` is given). */
const VERSIONED = new Set(['torch.load', 'torch.serialization.load']);
/** Loaders whose `weights_only` parameter defaults to False in every release. */
const ALWAYS_UNSAFE_DEFAULT = new Set([
  'torch.hub.load_state_dict_from_url', 'torch.utils.model_zoo.load_url', 'torch.hub.model_zoo.load_url',
  // torchvision re-exports of torch.hub's helper (older releases and their compatibility shim).
  'torchvision.models.utils.load_state_dict_from_url', 'torchvision._internally_replaced_utils.load_state_dict_from_url',
]);
const ALL = new Set([...VERSIONED, ...ALWAYS_UNSAFE_DEFAULT]);
const SAFE_CONTEXTS = new Set(['torch.serialization.safe_globals']);
const PARTIAL = new Set(['functools.partial']);

const meta: RuleMeta = {
    id: 'torch-load-unsafe',
    title: 'torch.load may unpickle arbitrary objects',
    summary: 'A torch checkpoint load that can run code from the file: weights_only=False, a custom pickle_module, or weights_only omitted on torch < 2.6.',
    group: 'python',
    defaultSeverity: 'warning',
    fixable: 'sometimes',
    catalog: ['PY101', 'PY103'],
    references: [
      { title: 'torch.load documentation (weights_only)', url: 'https://pytorch.org/docs/stable/generated/torch.load.html' },
      { title: 'CWE-502: Deserialization of Untrusted Data', url: 'https://cwe.mitre.org/data/definitions/502.html' },
    ],
};

export const torchLoadUnsafe = defineRule({
  meta,
  triggers: [['torch', 'load']],
  callWords: ['load', 'load_url', 'partial', 'partialmethod'],
  check: {
    python(facts, ctx) {
      const out: Finding[] = [];
      let versionDefault: ReturnType<typeof torchLoadDefault> | undefined;
      const forcedOff = () => ctx.workspace.torchForceNoWeightsOnly(ctx.uri);
      // `functools.partial(torch.load, weights_only=False)`: the loader is bound with protection off.
      for (const call of callsTo(facts, PARTIAL)) {
        const target = call.positional[0]?.value;
        const wo = call.keywords.get('weights_only');
        if (target?.kind !== 'qname' || !ALL.has(target.qname) || !wo || !isFalse(wo.value)) continue;
        out.push(finding(meta, call.range, CATALOG_SEVERITY.high,
          `\`${call.calleeText}\` binds ${target.qname} with weights_only=False${describeOrigin(wo.value)}, so every load through it unpickles arbitrary objects; bind weights_only=True instead.`,
          wo.fromSplat || wo.value.origin?.kind !== 'literal' ? [] : [replaceFix('Set weights_only=True', wo.range, 'True', true)]));
      }
      for (const call of callsTo(facts, ALL)) {
        const hub = ALWAYS_UNSAFE_DEFAULT.has(call.qname!);
        const wo = argument(call, 'weights_only', hub ? 6 : undefined);
        // Aliases (`T.load`, `L`) are named together with what they resolve to.
        const name = call.calleeText === call.qname ? `\`${call.calleeText}\`` : `\`${call.calleeText}\` (${call.qname})`;
        if (wo && isTrue(wo.value)) continue;
        if (wo && isFalse(wo.value)) {
          out.push(finding(meta, call.range, CATALOG_SEVERITY.high,
            `${name} with weights_only=False${describeOrigin(wo.value)} unpickles arbitrary objects, so a malicious checkpoint runs code on load; pass weights_only=True (or load a .safetensors file).`,
            wo.fromSplat || wo.value.origin?.kind !== 'literal' ? [] : [replaceFix('Set weights_only=True', wo.range, 'True', true)]));
          continue;
        }
        if (wo && wo.value.kind !== 'none') continue; // a value we cannot resolve: not guessed
        if (!wo && call.hasOpaqueSplat) continue; // weights_only may be inside **kwargs
        const pickleModule = argument(call, 'pickle_module', hub ? undefined : 2);
        const fixes: Fix[] = [wo ? replaceFix('Set weights_only=True', wo.range, 'True', true) : { title: 'Add weights_only=True', edits: [facts.appendArgumentEdit(call, 'weights_only=True')], safe: true, preferred: true }];
        if (wo?.fromSplat) fixes.length = 0;
        if (pickleModule && pickleModule.value.kind !== 'none') {
          out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
            `${name} with a custom pickle_module defaults to weights_only=False and unpickles arbitrary objects; pass weights_only=True.`, fixes));
          continue;
        }
        if (hub) {
          out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
            `${name} defaults to weights_only=False, so the downloaded checkpoint is unpickled and can run code; pass weights_only=True.`, fixes));
          continue;
        }
        if (forcedOff()) {
          out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
            `${name} without weights_only=True unpickles arbitrary objects because TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD is set in this project; pass weights_only=True.`, fixes));
          continue;
        }
        versionDefault ??= torchLoadDefault(ctx);
        if (versionDefault.state === 'safe') continue;
        // Omitted weights_only inside `with safe_globals([...])`: the code relies on the weights-only
        // unpickler (torch >= 2.6), unless the project pins an older torch where the default is still False.
        if (versionDefault.state === 'unknown' && call.enclosingWith.some((w) => SAFE_CONTEXTS.has(w))) continue;
        out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
          `${name} without weights_only=True may unpickle arbitrary objects (${versionDefault.why}; the safe default starts with torch 2.6); pass weights_only=True.`, fixes));
      }
      return out;
    },
  },
});

