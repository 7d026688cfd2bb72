import { defineRule } from '../../engine/rule';
import { UNUSED_SUPPRESSION } from '../../engine/suppression';

/**
 * Reported by the engine itself (engine/suppression.ts) after the other rules ran: a
 * `# modellint: ignore[...]` id that silenced nothing, or names no rule. Registered so that it can be
 * selected, ignored and re-levelled like any rule, and so that it has docs and fixtures.
 */
export const unusedSuppression = defineRule({
  meta: {
    id: UNUSED_SUPPRESSION,
    title: 'Suppression comment that silences nothing',
    summary: 'A `# modellint: ignore[...]` comment names a rule that reports nothing on that line (or file), or an id that is not a rule.',
    group: 'meta',
    defaultSeverity: 'warning',
    fixable: 'always',
    catalog: ['RUF100 (ruff), unused-disable-directive (ESLint)'],
    references: [{ title: 'ModelLint suppression comments', url: 'https://github.com/modellint/modellint/blob/main/README.md#suppressing-findings' }],
  },
  check: {},
});
