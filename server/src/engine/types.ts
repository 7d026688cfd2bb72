/**
 * The engine contract (architecture.md §4). Everything here is pure data:
 * no `vscode`, no LSP connection, no I/O.
 */

/** LSP-style position: 0-based line, 0-based character in UTF-16 code units. */
export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export interface TextEdit { range: Range; newText: string }

export type Severity = 'error' | 'warning' | 'info';

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix a user would normally want; shown first and marked preferred. */
  preferred?: boolean;
  /** Safe fixes keep behaviour except for the risk removed; only these run in fix-all. */
  safe: boolean;
  /** Set when `newText` contains a snippet placeholder the user must fill. */
  snippet?: boolean;
}

export interface RelatedInformation { range: Range; uri?: string; message: string }

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  range: Range;
  fixes?: Fix[];
  related?: RelatedInformation[];
}

export interface DocumentInput {
  uri: string;
  /** VS Code language id, or a file-name based id chosen by the caller (see languages/detect.ts). */
  languageId: string;
  text: string;
  version?: number;
}
