import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import { modelParameter, tritonBackend } from '../../languages/pbtxt/facts';
import { CATALOG_SEVERITY } from '../severity';
import { finding, modelFolderFiles } from './model-folder';

const meta: RuleMeta = {
  id: 'triton-execution-env-path',
  title: 'Triton Python-backend execution environment outside the model folder',
  summary: 'EXECUTION_ENV_PATH escapes $$TRITON_MODEL_DIRECTORY, is an absolute, relative or remote path, or a custom triton_python_backend_stub ships in the model folder.',
  group: 'triton',
  defaultSeverity: 'warning',
  fixable: 'sometimes',
  catalog: ['TC602'],
  references: [
    { title: 'Triton Python backend: using custom execution environments', url: 'https://github.com/triton-inference-server/python_backend#creating-custom-execution-environments' },
    { title: 'Triton deployment guide', url: 'https://github.com/triton-inference-server/server/blob/main/docs/customization_guide/deploy.md' },
  ],
};

const MODEL_DIR = '$$TRITON_MODEL_DIRECTORY';

/** Why an EXECUTION_ENV_PATH value is a problem, or undefined when it stays inside the model folder. */
export function executionEnvProblem(value: string): string | undefined {
  if (value.startsWith(MODEL_DIR)) {
    let depth = 0;
    for (const seg of value.slice(MODEL_DIR.length).split(/[\\/]+/)) {
      if (seg === '..') depth--;
      else if (seg !== '' && seg !== '.') depth++;
      if (depth < 0) return `"${value}" climbs out of $$TRITON_MODEL_DIRECTORY with ".."; the Python backend documents paths that escape the model directory as undefined behaviour, and the archive there is outside the model's control`;
    }
    return undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `"${value}" is a remote URI; the Python backend only supports local paths, or remote ones through $$TRITON_MODEL_DIRECTORY (the archive is downloaded with the model)`;
  if (value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value)) return `"${value}" is an absolute path outside the model folder: whoever can write there controls the Python environment (and the code) of this model`;
  if (value.trim() === '') return undefined;
  return `"${value}" is relative to the server's working directory, not to the model folder, so it resolves differently per deployment`;
}

export const tritonExecutionEnvPath = defineRule({
  meta,
  check: {
    pbtxt(facts, ctx) {
      const out: Finding[] = [];
      const root = facts.doc.root;
      const param = modelParameter(root, 'EXECUTION_ENV_PATH');
      if (param?.value && param.value.kind === 'string') {
        const problem = executionEnvProblem(param.value.value);
        if (problem) {
          const base = param.value.value.split(/[\\/]/).pop() ?? '';
          const fixes: Fix[] = [];
          if (param.value.contentRange && base && base !== '..' && base !== '.' && !base.includes('$')) {
            fixes.push({ title: `Use ${MODEL_DIR}/${base} (move the archive into the model folder)`, edits: [{ range: param.value.contentRange, newText: `${MODEL_DIR}/${base}` }], safe: false, preferred: true });
          }
          out.push(finding(meta, param.value.range, CATALOG_SEVERITY.medium, `EXECUTION_ENV_PATH ${problem}. Ship the environment archive inside the model folder and reference it as ${MODEL_DIR}/<name>.tar.gz.`, fixes));
        }
      }
      const files = modelFolderFiles(ctx);
      if (files?.includes('triton_python_backend_stub')) {
        const backend = tritonBackend(root);
        const range = backend?.value.range ?? root.fields[0]?.nameRange ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
        out.push(finding(meta, range, CATALOG_SEVERITY.medium,
          'The model folder ships its own triton_python_backend_stub: Triton runs that binary instead of the stub of its image, so the model repository decides which native code runs as the server user. Build the stub from the python_backend release matching your Triton image and keep the repository read-only.'));
      }
      return out;
    },
  },
});
