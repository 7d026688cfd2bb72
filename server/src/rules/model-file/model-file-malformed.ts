import { defineRule } from '../../engine/rule';

/**
 * Reported by the model-file scanner (server/src/models), not by a check on text: the language
 * server publishes it on model files of the workspace (lsp/model-files.ts) and `modellint inspect`
 * prints it. Registered so it can be selected, ignored and re-levelled like any rule, and so it
 * has docs. Fixtures: test/fixtures/models (manifest.json).
 */
export const modelFileMalformed = defineRule({
  meta: {
    id: 'model-file-malformed',
    title: 'Malformed, truncated or mislabelled model file',
    summary: 'A model file is truncated, exceeds parser limits, fails format validation, shows container anomalies or parser differentials, or is not a model at all (Git LFS pointer, HTML page).',
    group: 'model-file',
    defaultSeverity: 'warning',
    fixable: 'none',
    catalog: ['C7 model-file-malformed', 'formats.md \u00a710'],
    references: [
      { title: 'safetensors format', url: 'https://github.com/huggingface/safetensors#format' },
      { title: 'PKWARE APPNOTE (ZIP)', url: 'https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT' },
    ],
  },
  check: {},
});
