import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { describeOrigin, isFalse, stringValue } from '../../languages/python/values';
import { allowsOnlyBelow } from '../../workspace/pep440';
import { argument, CATALOG_SEVERITY, callsTo, finding } from './call-matching';

const KERAS_ROOTS = ['keras', 'tensorflow.keras', 'tf_keras', 'tensorflow.python.keras'];
const LOAD_MODEL = new Set(KERAS_ROOTS.flatMap((r) => [`${r}.models.load_model`, `${r}.saving.load_model`, `${r}.saving.saving_api.load_model`, `${r}.src.saving.saving_api.load_model`]));
const ENABLE_UNSAFE = new Set(KERAS_ROOTS.flatMap((r) => [`${r}.config.enable_unsafe_deserialization`, `${r}.src.saving.serialization_lib.enable_unsafe_deserialization`, `${r}.saving.serialization_lib.enable_unsafe_deserialization`]));

const meta: RuleMeta = {
  id: 'keras-unsafe-load',
  title: 'Keras model loading that can run code',
  summary: 'Keras load_model with safe_mode=False, enable_unsafe_deserialization(), legacy .h5 loads (safe_mode does not apply), or a Keras version with safe-mode bypasses.',
  group: 'python',
  defaultSeverity: 'error',
  fixable: 'sometimes',
  catalog: ['PY113'],
  references: [
    { title: 'keras.saving.load_model (safe_mode)', url: 'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/' },
    { title: 'CVE-2025-1550', url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-1550' },
    { title: 'CVE-2025-8747', url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-8747' },
  ],
};

export const kerasUnsafeLoad = defineRule({
  meta,
  triggers: ['load_model', 'enable_unsafe_deserialization'],
  check: {
    python(facts, ctx) {
      const out: Finding[] = [];
      for (const call of callsTo(facts, ENABLE_UNSAFE)) {
        out.push(finding(meta, call.range, CATALOG_SEVERITY.high,
          `\`${call.calleeText}()\` turns off Keras safe mode for every later load, so Lambda layers and arbitrary callables in a model file run; remove the call and rebuild custom layers in code.`,
          [{ title: 'Remove the call', edits: [{ range: call.range, newText: 'None' }], safe: false }]));
      }
      let kerasBypass: boolean | undefined;
      for (const call of callsTo(facts, LOAD_MODEL)) {
        const safeMode = argument(call, 'safe_mode', 3);
        if (safeMode && isFalse(safeMode.value)) {
          const removable = !safeMode.fromSplat && call.keywords.get('safe_mode') === safeMode && safeMode.value.origin?.kind === 'literal';
          out.push(finding(meta, safeMode.itemRange, CATALOG_SEVERITY.high,
            `\`${call.calleeText}\` with safe_mode=False${describeOrigin(safeMode.value)} deserializes Lambda layers and arbitrary callables, which run code from the model file; drop safe_mode=False.`,
            removable ? [{ title: 'Remove safe_mode=False', edits: [facts.removeArgumentEdit(call, safeMode)], safe: true, preferred: true }] : []));
          continue;
        }
        const path = stringValue(argument(call, 'filepath', 0)?.value);
        if (path !== undefined && /\.(h5|hdf5)$/i.test(path)) {
          out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` on the legacy HDF5 file "${path}" is not protected by safe_mode, so Lambda layers in it run code; convert the model to the .keras format.`));
          continue;
        }
        kerasBypass ??= (() => {
          const c = ctx.workspace.packageConstraint('keras', ctx.uri);
          // The safe-mode bypasses are Keras 3 bugs (3.0.0 up to 3.10); a Keras 2 pin is not what they describe.
          return !!c && allowsOnlyBelow(c, '3.11.0') && !allowsOnlyBelow(c, '3.0.0');
        })();
        if (kerasBypass && (!safeMode || safeMode.value.kind === 'bool')) {
          out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` runs on a Keras version before 3.11 whose safe_mode can be bypassed by a crafted model (CVE-2025-1550, CVE-2025-8747, CVE-2025-9906); require keras>=3.11.0.`));
        }
      }
      return out;
    },
  },
});
