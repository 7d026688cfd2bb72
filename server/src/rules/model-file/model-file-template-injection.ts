import { defineRule } from '../../engine/rule';

/**
 * Reported by the model-file scanner (server/src/models), not by a check on text: the language
 * server publishes it on model files of the workspace (lsp/model-files.ts) and `modellint inspect`
 * prints it. Registered so it can be selected, ignored and re-levelled like any rule, and so it
 * has docs. Fixtures: test/fixtures/models (manifest.json).
 */
export const modelFileTemplateInjection = defineRule({
  meta: {
    id: 'model-file-template-injection',
    title: 'Chat template with template-injection indicators',
    summary: 'An embedded chat template (GGUF tokenizer.chat_template, tokenizer_config.json chat_template) reaches Python internals (__class__, __globals__, cycler, lipsum\u2026), a server-side template injection.',
    group: 'model-file',
    defaultSeverity: 'error',
    fixable: 'none',
    catalog: ['C7 model-file-template-injection', 'formats.md \u00a75'],
    references: [
      { title: 'CVE-2024-34359 (llama-cpp-python chat template SSTI)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-34359' },
      { title: 'Jinja sandbox', url: 'https://jinja.palletsprojects.com/en/stable/sandbox/' },
    ],
  },
  check: {},
});
