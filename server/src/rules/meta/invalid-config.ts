import { defineRule } from '../../engine/rule';

/** Problems in a team configuration file; the valid remainder of the file still applies. */
export const invalidConfig = defineRule({
  meta: {
    id: 'invalid-config',
    title: 'Invalid ModelLint configuration',
    summary: 'A modellint.toml, .modellint.toml or [tool.modellint] table has a syntax error, an unknown setting, an unknown rule id or a value of the wrong type; that entry is ignored.',
    group: 'meta',
    defaultSeverity: 'warning',
    fixable: 'none',
    catalog: ['architecture.md §8'],
    references: [{ title: 'ModelLint team configuration', url: 'https://github.com/modellint/modellint/blob/main/README.md#team-settings' }],
  },
  check: {
    config(facts) {
      return facts.problems.map((p) => ({ ruleId: 'invalid-config', severity: p.severity, message: p.message, range: p.range }));
    },
  },
});
