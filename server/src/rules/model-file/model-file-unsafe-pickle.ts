import { defineRule } from '../../engine/rule';

/**
 * Reported by the model-file scanner (server/src/models), not by a check on text: the language
 * server publishes it on model files of the workspace (lsp/model-files.ts) and `modellint inspect`
 * prints it. Registered so it can be selected, ignored and re-levelled like any rule, and so it
 * has docs. Fixtures: test/fixtures/models (manifest.json).
 */
export const modelFileUnsafePickle = defineRule({
  meta: {
    id: 'model-file-unsafe-pickle',
    title: 'Model file whose pickle runs code on load',
    summary: 'A pickle stream inside a model file imports or calls something known to be dangerous (os.system, eval, subprocess\u2026), or hides its import target, so loading the file runs code.',
    group: 'model-file',
    defaultSeverity: 'error',
    fixable: 'none',
    catalog: ['C7 model-file-unsafe-pickle', 'formats.md \u00a73.6'],
    references: [
      { title: 'PyTorch: torch.load security (weights_only)', url: 'https://pytorch.org/docs/stable/generated/torch.load.html' },
      { title: 'Python docs: pickle \u2014 restricting globals', url: 'https://docs.python.org/3/library/pickle.html#restricting-globals' },
      { title: 'fickling: pickle decompiler and static analyzer', url: 'https://github.com/trailofbits/fickling' },
    ],
  },
  check: {},
});
