import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Range } from '../../engine/types';
import { scalarField, tritonBackend } from '../../languages/pbtxt/facts';
import { CATALOG_SEVERITY } from '../severity';
import { exposureRelated, finding, repositoryExposure, versionFiles } from './model-folder';

const meta: RuleMeta = {
  id: 'triton-python-backend',
  title: 'Triton model served by the Python backend',
  summary: 'A Triton model uses the Python backend, so model.py from the model repository runs inside the server without a sandbox; worse when the repository can be loaded or written at run time.',
  group: 'triton',
  defaultSeverity: 'info',
  fixable: 'none',
  catalog: ['TC601'],
  references: [
    { title: 'Triton deployment guide: secure deployment considerations', url: 'https://github.com/triton-inference-server/server/blob/main/docs/customization_guide/deploy.md' },
    { title: 'Triton Python backend', url: 'https://github.com/triton-inference-server/python_backend' },
    { title: 'CVE-2025-23316 (Python backend, model control API)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-23316' },
  ],
};

/** Model file names of the non-Python backends Triton can infer when a config names no backend. */
const OTHER_MODEL_FILES = /^(model\.(onnx|plan|pt|graphdef|netdef|savedmodel|xml|bin)|model\.savedmodel)$/;

export const tritonPythonBackend = defineRule({
  meta,
  check: {
    pbtxt(facts, ctx) {
      const root = facts.doc.root;
      const backend = tritonBackend(root);
      let range: Range | undefined;
      let how: string;
      if (backend) {
        if (backend.name !== 'python') return [];
        range = backend.value.range;
        how = `${backend.field}: "python"`;
      } else {
        // No backend: Triton's auto-complete picks the Python backend for a version folder holding model.py.
        const files = versionFiles(ctx);
        if (!files || !files.some((f) => /^\d+\/model\.py$/.test(f)) || files.some((f) => OTHER_MODEL_FILES.test(f.split('/')[1] ?? ''))) return [];
        const name = scalarField(root, 'name');
        const first = root.fields[0];
        range = name?.value.range ?? first?.nameRange ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
        how = 'no backend is set and a version folder holds model.py, so Triton infers it';
      }
      const exposure = repositoryExposure(ctx);
      const escalated = exposure.dynamic || exposure.writable;
      const why = exposure.dynamic
        ? ` The repository is also loaded at run time (--model-control-mode=${exposure.dynamic.mode}), so whoever can change it or call the model-control API runs code in the server.`
        : exposure.writable
          ? ' The repository is also mounted writable, so whoever can write to it runs code in the server on the next load.'
          : '';
      const out: Finding[] = [
        finding(meta, range, escalated ? CATALOG_SEVERITY.medium : CATALOG_SEVERITY.info,
          `This model uses the Python backend (${how}): model.py from the repository runs inside Triton with the server's privileges and no sandbox.${why} Keep the repository read-only, review model.py like server code, and prefer explicit model control with restricted APIs.`,
          undefined, exposureRelated(exposure)),
      ];
      return out;
    },
  },
});
