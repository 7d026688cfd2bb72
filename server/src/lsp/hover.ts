import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import { ruleDocsUrl } from '../engine/docs';
import type { RuleMeta } from '../engine/rule';
import { parseSuppressions } from '../engine/suppression';

/**
 * Hover on a rule id inside a `# modellint: ignore[...]` / `ignore-file[...]` comment: the rule's
 * title, summary and a link to its page (style.md lesson 7, like Ruff's hover over a noqa code).
 * Works in every `#`-comment file kind, since suppressions are parsed from the text alone.
 */
export function suppressionHover(lineText: string, position: Position, ruleMeta: (id: string) => RuleMeta | undefined): Hover | undefined {
  if (!lineText.includes('modellint:')) return undefined;
  // Parse just this line; ranges come back on line 0.
  for (const comment of parseSuppressions(lineText)) {
    for (const entry of comment.ids) {
      if (position.character < entry.range.start.character || position.character > entry.range.end.character) continue;
      const range = { start: { line: position.line, character: entry.range.start.character }, end: { line: position.line, character: entry.range.end.character } };
      const meta = ruleMeta(entry.id);
      const value = meta
        ? [
            `**${meta.id}** — ${meta.title}`,
            '',
            meta.summary,
            '',
            `Default severity: ${meta.defaultSeverity} · group: ${meta.group} · fixable: ${meta.fixable}`,
            '',
            `[Documentation for ${meta.id}](${ruleDocsUrl(meta.id)})`,
          ].join('\n')
        : `\`${entry.id}\` is not a ModelLint rule id, so this suppression silences nothing.`;
      return { contents: { kind: MarkupKind.Markdown, value }, range };
    }
  }
  return undefined;
}
