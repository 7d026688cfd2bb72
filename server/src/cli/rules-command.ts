import { ruleDocsUrl } from '../engine/docs';
import { parseRulesArgs, RULES_HELP, UsageError } from './args';
import type { CliIO } from './run-check';

/** `modellint rules [--format text|json]`: the catalog, from the registry. */
export function runRules(argv: string[], io: CliIO): number {
  let format: 'text' | 'json';
  try {
    const opts = parseRulesArgs(argv);
    if (opts.help) {
      io.stdout.write(RULES_HELP);
      return 0;
    }
    format = opts.format;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`modellint: ${e.message}\nRun 'modellint rules --help' for usage.\n`);
      return 2;
    }
    throw e;
  }
  const { allRules } = require('../rules/index') as typeof import('../rules/index');
  const metas = allRules.map((r) => r.meta);
  if (format === 'json') {
    const rules = metas.map((m) => ({
      id: m.id,
      title: m.title,
      summary: m.summary,
      group: m.group,
      defaultSeverity: m.defaultSeverity,
      fixable: m.fixable,
      catalog: m.catalog,
      docs: ruleDocsUrl(m.id, false),
      references: m.references,
    }));
    io.stdout.write(JSON.stringify({ version: 1, rules }, null, 2) + '\n');
    return 0;
  }
  const header = ['RULE', 'SEVERITY', 'GROUP', 'FIXABLE', 'TITLE'];
  const rows = metas.map((m) => [m.id, m.defaultSeverity, m.group, m.fixable, m.title]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  io.stdout.write([line(header), ...rows.map(line)].join('\n') + `\n\n${metas.length} rules. Documentation: ${ruleDocsUrl('<rule-id>', false)}\n`);
  return 0;
}
