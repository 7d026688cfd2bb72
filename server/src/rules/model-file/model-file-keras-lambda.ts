import { defineRule } from '../../engine/rule';

/**
 * Reported by the model-file scanner (server/src/models), not by a check on text: the language
 * server publishes it on model files of the workspace (lsp/model-files.ts) and `modellint inspect`
 * prints it. Registered so it can be selected, ignored and re-levelled like any rule, and so it
 * has docs. Fixtures: test/fixtures/models (manifest.json).
 */
export const modelFileKerasLambda = defineRule({
  meta: {
    id: 'model-file-keras-lambda',
    title: 'Keras model config with executable content',
    summary: 'A Keras .keras / .h5 model config holds Lambda layers, marshalled bytecode, non-Keras modules or other content that runs or escapes on load.',
    group: 'model-file',
    defaultSeverity: 'error',
    fixable: 'none',
    catalog: ['C7 model-file-keras-lambda', 'formats.md \u00a76'],
    references: [
      { title: 'Keras: safe_mode and Lambda layers', url: 'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/' },
      { title: 'CVE-2025-1550', url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-1550' },
    ],
  },
  check: {},
});
