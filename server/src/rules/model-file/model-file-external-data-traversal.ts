import { defineRule } from '../../engine/rule';

/**
 * Reported by the model-file scanner (server/src/models), not by a check on text: the language
 * server publishes it on model files of the workspace (lsp/model-files.ts) and `modellint inspect`
 * prints it. Registered so it can be selected, ignored and re-levelled like any rule, and so it
 * has docs. Fixtures: test/fixtures/models (manifest.json).
 */
export const modelFileExternalDataTraversal = defineRule({
  meta: {
    id: 'model-file-external-data-traversal',
    title: 'Model file referencing files outside its folder',
    summary: 'A model file references another file with a path that escapes the model folder (ONNX external_data, safetensors shard names, HDF5 external links), or with unknown external-data keys.',
    group: 'model-file',
    defaultSeverity: 'error',
    fixable: 'none',
    catalog: ['C7 model-file-external-data-traversal', 'formats.md \u00a74'],
    references: [
      { title: 'ONNX external data', url: 'https://onnx.ai/onnx/repo-docs/ExternalData.html' },
      { title: 'CVE-2024-27318 (onnx external data path traversal)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-27318' },
    ],
  },
  check: {},
});
