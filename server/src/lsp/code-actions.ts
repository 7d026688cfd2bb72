import {
  CodeActionKind,
  TextDocumentEdit,
  type CodeAction,
  type CodeActionContext,
  type Diagnostic,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { expandSnippet, fixAllEdits, preferredFix } from '../engine/fixes';
import { suppressFileEdit, suppressLineEdit, UNUSED_SUPPRESSION } from '../engine/suppression';
import type { Finding, Fix, Range, TextEdit } from '../engine/types';
import { DIAGNOSTIC_SOURCE, type DiagnosticData } from './diagnostics';

/**
 * Code actions, computed from what each diagnostic carries in `data` (style.md lessons 5–6): no
 * server state and no re-analysis. Per diagnostic: its fixes (the preferred one marked
 * `isPreferred`), "Fix all <rule> problems in this file", "Ignore <rule> on this line",
 * "Ignore <rule> in this file" and "Show documentation for <rule>". Per document:
 * `source.fixAll.modellint`, the preferred fix of every finding whose fix is safe and needs no
 * input, as one edit pinned to the document version the findings were computed for.
 * Every title says who is speaking: "ModelLint (<rule>): …".
 */

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.modellint`;
/** Opens a rule's documentation page; answered by the server with window/showDocument. */
export const SHOW_RULE_DOCS_COMMAND = 'modellint.showRuleDocs';

export interface ActionDocument {
  uri: string;
  version: number;
  text: string;
}

export interface CodeActionInput {
  /** The document the request is for (a notebook cell for notebooks). */
  doc: ActionDocument;
  context: CodeActionContext;
  /**
   * All ModelLint diagnostics of `doc` as last computed by the server, and the version they belong
   * to (fix-all edits are pinned to it, so a client holding newer text refuses them).
   */
  computed?: { diagnostics: Diagnostic[]; version: number };
  /** Where an ignore-file comment goes (a notebook: the cell that has one, else the first code cell). Defaults to `doc`. */
  fileCommentDoc?: ActionDocument;
  /** Whether the document's language has `#` comments (suppression comments can be written). */
  hashComments: boolean;
  /** False for formats whose comments must stand on their own line (Dockerfiles, properties). */
  trailingComments?: boolean;
  /** The client applies `documentChanges` (versioned edits); otherwise plain `changes` are sent. */
  documentChanges: boolean;
  /** `doc` is a notebook cell: fix-all actions stay within it (never across cells) and say so. */
  cell?: boolean;
}

/**
 * Whether suppression comments can be written in a file of this input kind (languages/detect.ts):
 * every `#`-comment kind; not JSON files (no comments) and not a raw .ipynb opened as text.
 */
export function hasHashComments(kind: string | undefined): boolean {
  return kind !== undefined && kind !== 'notebook' && !kind.includes('json');
}

/** Whether a `#` comment may follow code on a line of this kind of file (not in Dockerfiles or properties files). */
export function allowsTrailingComments(kind: string | undefined): boolean {
  return kind !== 'dockerfile' && kind !== 'properties';
}

/** `data` as sent back by the client: checked, since anything may arrive. */
export function readDiagnosticData(d: Diagnostic): DiagnosticData | undefined {
  if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
  const data = d.data as Partial<DiagnosticData> | undefined;
  if (!data || typeof data !== 'object' || typeof data.ruleId !== 'string' || !Array.isArray(data.fixes)) return undefined;
  return { ruleId: data.ruleId, fixes: data.fixes.filter(isFix) };
}

function isPosition(p: unknown): boolean {
  const q = p as { line?: unknown; character?: unknown } | undefined;
  return !!q && Number.isInteger(q.line) && Number.isInteger(q.character) && (q.line as number) >= 0 && (q.character as number) >= 0;
}

function isFix(f: unknown): f is Fix {
  const fix = f as Partial<Fix> | undefined;
  return (
    !!fix &&
    typeof fix.title === 'string' &&
    typeof fix.safe === 'boolean' &&
    Array.isArray(fix.edits) &&
    fix.edits.length > 0 &&
    fix.edits.every((e) => !!e && typeof e.newText === 'string' && !!e.range && isPosition(e.range.start) && isPosition(e.range.end))
  );
}

/** Whether a kind was asked for (`only` absent: everything but source actions, which are only returned when asked). */
function wants(only: string[] | undefined, kind: string, source = false): boolean {
  if (!only || only.length === 0) return !source;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** LSP clients insert text verbatim: snippet placeholders become their default text (which stays flagged until filled in). */
function plainEdits(edits: readonly TextEdit[]): LspTextEdit[] {
  return edits.map((e) => ({ range: e.range, newText: expandSnippet(e.newText) }));
}

function workspaceEdit(doc: ActionDocument, edits: LspTextEdit[], documentChanges: boolean, version = doc.version): WorkspaceEdit {
  if (documentChanges) return { documentChanges: [TextDocumentEdit.create({ uri: doc.uri, version }, edits)] };
  return { changes: { [doc.uri]: edits } };
}

function asFindings(diagnostics: readonly Diagnostic[]): Finding[] {
  const out: Finding[] = [];
  for (const d of diagnostics) {
    const data = readDiagnosticData(d);
    if (data) out.push({ ruleId: data.ruleId, severity: 'warning', message: typeof d.message === 'string' ? d.message : d.message.value, range: d.range, fixes: data.fixes });
  }
  return out;
}

function textIn(text: string, range: Range): string {
  const lines = text.split('\n');
  if (range.start.line !== range.end.line) return '\u0000'; // never equal to a one-line replacement
  return (lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
}

/** The safe fix-all edits of a set of diagnostics (all rules, or one). */
export function fixAllFromDiagnostics(diagnostics: readonly Diagnostic[], ruleId?: string): LspTextEdit[] {
  return plainEdits(fixAllEdits(asFindings(diagnostics), ruleId));
}

export function codeActions(input: CodeActionInput): CodeAction[] {
  const { doc, context } = input;
  const only = context.only;
  const actions: CodeAction[] = [];

  if (wants(only, FIX_ALL_KIND, true) && input.computed) {
    const edits = fixAllFromDiagnostics(input.computed.diagnostics);
    if (edits.length > 0) {
      actions.push({
        title: 'ModelLint: Fix all safely fixable problems',
        kind: FIX_ALL_KIND,
        edit: workspaceEdit(doc, edits, input.documentChanges, input.computed.version),
      });
    }
  }
  if (!wants(only, CodeActionKind.QuickFix)) return actions;

  const fixes: CodeAction[] = [];
  const fixAllRule: CodeAction[] = [];
  const ignoreLine: CodeAction[] = [];
  const ignoreFile: CodeAction[] = [];
  const docs: CodeAction[] = [];
  const seen = new Set<string>();
  const once = (key: string) => !seen.has(key) && (seen.add(key), true);

  for (const d of context.diagnostics) {
    const data = readDiagnosticData(d);
    if (!data) continue;
    const id = data.ruleId;
    const prefix = `ModelLint (${id}): `;
    const preferred = preferredFix({ ruleId: id, severity: 'warning', message: '', range: d.range, fixes: data.fixes });
    const ordered = preferred ? [preferred, ...data.fixes.filter((f) => f !== preferred)] : data.fixes;
    for (const fix of ordered) {
      fixes.push({
        title: prefix + fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: fix === preferred ? true : undefined,
        edit: workspaceEdit(doc, plainEdits(fix.edits), input.documentChanges),
      });
    }

    if (input.computed && once(`all:${id}`)) {
      const sameRule = asFindings(input.computed.diagnostics).filter((f) => f.ruleId === id);
      const fixable = sameRule.filter((f) => {
        const p = preferredFix(f);
        return p && p.safe && !p.snippet;
      });
      if (fixable.length > 1) {
        const edits = fixAllFromDiagnostics(input.computed.diagnostics, id);
        if (edits.length > 0) {
          fixAllRule.push({
            title: `${prefix}Fix all ${id} problems in this ${input.cell ? 'cell' : 'file'}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            edit: workspaceEdit(doc, edits, input.documentChanges, input.computed.version),
          });
        }
      }
    }

    if (input.hashComments && id !== UNUSED_SUPPRESSION) {
      const line = d.range.start.line;
      if (once(`line:${id}:${line}`)) {
        const edit = suppressLineEdit(doc.text, line, id, { trailingComments: input.trailingComments });
        // No action when the id is already in the comment (the edit would change nothing).
        if (edit && edit.newText !== textIn(doc.text, edit.range)) {
          ignoreLine.push({
            title: `${prefix}Ignore ${id} on this line`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            edit: workspaceEdit(doc, [edit], input.documentChanges),
          });
        }
      }
      if (once(`file:${id}`)) {
        const target = input.fileCommentDoc ?? doc;
        ignoreFile.push({
          title: `${prefix}Ignore ${id} in this file`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          edit: workspaceEdit(target, [suppressFileEdit(target.text, id)], input.documentChanges),
        });
      }
    }

    if (once(`docs:${id}`)) {
      docs.push({
        title: `${prefix}Show documentation for ${id}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        command: { title: `Show documentation for ${id}`, command: SHOW_RULE_DOCS_COMMAND, arguments: [id] },
      });
    }
  }
  actions.push(...fixes, ...fixAllRule, ...ignoreLine, ...ignoreFile, ...docs);
  return actions;
}
