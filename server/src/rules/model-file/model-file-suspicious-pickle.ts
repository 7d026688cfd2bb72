import { defineRule } from '../../engine/rule';

/**
 * Reported by the model-file scanner (server/src/models), not by a check on text: the language
 * server publishes it on model files of the workspace (lsp/model-files.ts) and `modellint inspect`
 * prints it. Registered so it can be selected, ignored and re-levelled like any rule, and so it
 * has docs. Fixtures: test/fixtures/models (manifest.json).
 */
export const modelFileSuspiciousPickle = defineRule({
  meta: {
    id: 'model-file-suspicious-pickle',
    title: 'Model file whose pickle uses non-allowlisted globals',
    summary: 'A pickle stream inside a model file imports or calls globals outside the torch weights_only allowlist that are not known to be dangerous; their constructors or __setstate__ run on load.',
    group: 'model-file',
    defaultSeverity: 'warning',
    fixable: 'none',
    catalog: ['C7 model-file-suspicious-pickle', 'formats.md \u00a72.2'],
    references: [
      { title: 'PyTorch: torch.load weights_only allowlist', url: 'https://pytorch.org/docs/stable/notes/serialization.html#weights-only' },
      { title: 'Python docs: pickle \u2014 restricting globals', url: 'https://docs.python.org/3/library/pickle.html#restricting-globals' },
    ],
  },
  check: {},
});
