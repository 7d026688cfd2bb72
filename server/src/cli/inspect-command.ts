/**
 * `modellint inspect FILE… [--format text|json]` (architecture.md §11): reads model files as bytes
 * (in the scanner's worker thread, server/src/models/inspect.ts) and prints, per file, the detected
 * format and variant, the verdict, findings with reasons, header/metadata/tensors and bytes read.
 *
 * Exit codes: 0 when every file is safe or suspicious, 1 when any file is dangerous or invalid,
 * 2 on usage errors (unknown option, no file, a path that does not exist or is not a regular file).
 *
 * Every string taken from a file is hostile: the text output escapes control characters, bidi
 * overrides and other invisible characters so nothing from a file can drive the terminal.
 */
import * as fs from 'node:fs';
import type { ModelReport, JsonValue } from '../models/types';
import type { CliIO } from './run-check';
import { formatBytes } from '../models/format-bytes';

export const INSPECT_HELP = `Usage: modellint inspect FILE... [--format text|json]

Reads model files as bytes (never imports, executes or unpickles them) and reports,
per file: the format detected by content and its variant, the verdict
(safe|suspicious|dangerous|invalid), findings with their reasons, header,
metadata and tensors, and how many bytes were read.

Options:
  --format text|json   output format (default: text); json prints the full reports
                       as {"version": 1, "reports": [ModelReport, ...]}
  --max-tensors N      text output: tensor rows to show per file (default: 50)
  -h, --help           show this help

Exit status: 0 when every file is safe or suspicious, 1 when any file is dangerous
or invalid, 2 on usage errors (including a path that does not exist).
`;

interface InspectArgs {
  files: string[];
  format: 'text' | 'json';
  maxTensors: number;
  help: boolean;
}

class InspectUsageError extends Error {}

export function parseInspectArgs(argv: string[]): InspectArgs {
  const out: InspectArgs = { files: [], format: 'text', maxTensors: 50, help: false };
  let onlyFiles = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyFiles || !arg.startsWith('-') || arg === '-') {
      out.files.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyFiles = true;
      continue;
    }
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new InspectUsageError(`${name} needs a value`);
      return next;
    };
    switch (name) {
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json') throw new InspectUsageError(`--format must be text or json, not '${escapeText(v)}'`);
        out.format = v;
        break;
      }
      case '--max-tensors': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new InspectUsageError(`--max-tensors needs a whole number, not '${escapeText(v)}'`);
        out.maxTensors = n;
        break;
      }
      default:
        throw new InspectUsageError(`unknown option '${escapeText(arg)}'`);
    }
  }
  return out;
}

export async function runInspect(argv: string[], io: CliIO): Promise<number> {
  let args: InspectArgs;
  try {
    args = parseInspectArgs(argv);
  } catch (e) {
    if (e instanceof InspectUsageError) {
      io.stderr.write(`modellint: ${e.message}\nRun 'modellint inspect --help' for usage.\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    io.stdout.write(INSPECT_HELP);
    return 0;
  }
  if (args.files.length === 0) {
    io.stderr.write(`modellint: inspect needs at least one FILE\nRun 'modellint inspect --help' for usage.\n`);
    return 2;
  }
  const path = require('node:path') as typeof import('node:path');
  const problems: string[] = [];
  for (const file of args.files) {
    let st: fs.Stats;
    try {
      st = fs.statSync(path.resolve(io.cwd, file));
    } catch {
      problems.push(`${escapeText(file)}: no such file`);
      continue;
    }
    if (!st.isFile()) problems.push(`${escapeText(file)}: not a regular file`);
  }
  if (problems.length > 0) {
    for (const p of problems) io.stderr.write(`modellint: ${p}\n`);
    return 2;
  }
  const { inspectFile } = require('../models/inspect') as typeof import('../models/inspect');
  const reports: ModelReport[] = [];
  // One worker at a time: each is bounded in memory and time; files are usually few.
  for (const file of args.files) {
    const report = await inspectFile(path.resolve(io.cwd, file));
    report.file = file;
    reports.push(report);
  }
  if (args.format === 'json') {
    io.stdout.write(JSON.stringify({ version: 1, reports }, null, 2) + '\n');
  } else {
    io.stdout.write(reports.map((r) => formatReportText(r, { maxTensors: args.maxTensors })).join('\n'));
  }
  return reports.some((r) => r.verdict === 'dangerous' || r.verdict === 'invalid') ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Text output

/**
 * Escapes a file-derived string for a terminal: C0/C1 controls, DEL, bidi controls, zero-width
 * and other format characters, line/paragraph separators and lone surrogates become visible
 * escapes (\n, \x1b, \u{202e}); backslashes are doubled so an escape cannot be faked.
 */
export function escapeText(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex
    /[\\\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => {
      switch (c) {
        case '\\':
          return '\\\\';
        case '\n':
          return '\\n';
        case '\r':
          return '\\r';
        case '\t':
          return '\\t';
      }
      const code = c.charCodeAt(0);
      return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
    },
  );
}

/** Cuts a (escaped) string for display. */
function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function jsonText(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}


const num = (n: number) => n.toLocaleString('en-US');

function table(rows: string[][], indent: string): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

/** A readable summary of one report; every file-derived string escaped. */
export function formatReportText(r: ModelReport, opts: { maxTensors?: number } = {}): string {
  const maxTensors = opts.maxTensors ?? 50;
  const e = (s: string, max = 300) => cut(escapeText(s), max);
  const lines: string[] = [];
  lines.push(e(r.file, 1000));
  lines.push(`  format:   ${r.format}${r.variant ? ` (${e(r.variant)})` : ''}`);
  lines.push(`  verdict:  ${r.verdict}`);
  lines.push(`  summary:  ${e(r.summary, 500)}`);
  lines.push(`  size:     ${num(r.size)} bytes (${formatBytes(r.size)})`);
  if (r.findings.length > 0) {
    lines.push(`  findings (${r.findings.length}):`);
    for (const f of r.findings.slice(0, 100)) {
      lines.push(`    ${f.severity.padEnd(7)} ${f.ruleId}: ${e(f.message, 500)}`);
      const d = f.detail;
      const parts = [`reason ${d.reason}`];
      if (d.global !== undefined) parts.push(`global ${e(d.global, 200)}`);
      if (d.opcode !== undefined) parts.push(`opcode ${e(d.opcode, 40)}`);
      if (d.entry !== undefined) parts.push(`entry ${e(d.entry, 200)}`);
      if (d.stream !== undefined) parts.push(`stream ${d.stream}`);
      if (d.offset !== undefined) parts.push(`offset ${d.offset}`);
      if (d.matched !== undefined) parts.push(e(d.matched, 200));
      if (d.extra !== undefined) parts.push(e(d.extra, 200));
      lines.push(`            ${parts.join(' · ')}`);
    }
    if (r.findings.length > 100) lines.push(`    … ${r.findings.length - 100} more (use --format json)`);
  } else {
    lines.push('  findings: none');
  }
  const meta = Object.entries(r.metadata);
  if (meta.length > 0) {
    lines.push('  metadata:');
    for (const [k, v] of meta.slice(0, 100)) lines.push(`    ${e(k, 80)}: ${e(jsonText(v), 200)}`);
    if (meta.length > 100) lines.push(`    … ${meta.length - 100} more`);
  }
  if (r.pickle && r.pickle.globals.length > 0) {
    lines.push(`  pickle imports (${r.pickle.globals.length}${r.pickle.globalsTruncated ? '+' : ''}; ${r.pickle.streams.length} stream(s), weights_only compatible: ${r.pickle.weightsOnlyCompatible ? 'yes' : 'no'}):`);
    const rows = [['CLASS', 'GLOBAL', 'IMPORTS', 'CALLS', 'WHY']];
    for (const g of r.pickle.globals.slice(0, 100)) rows.push([g.classification, e(`${g.module}.${g.name}`, 120), String(g.count), String(g.calls), e(g.reason, 160)]);
    lines.push(...table(rows, '    '));
  }
  if (r.zip) {
    const z = r.zip;
    lines.push(`  zip: ${z.entryCount} entr${z.entryCount === 1 ? 'y' : 'ies'}${z.zip64 ? ', zip64' : ''}${z.prefixBytes ? `, ${z.prefixBytes} bytes before the archive` : ''}${z.trailingBytes ? `, ${z.trailingBytes} trailing bytes` : ''}`);
    for (const a of z.anomalies.slice(0, 50)) lines.push(`    anomaly ${e(a.kind, 60)}${a.entry !== undefined ? ` (${e(a.entry, 120)})` : ''}: ${e(a.message, 300)}`);
  }
  for (const t of r.chatTemplates ?? []) {
    lines.push(`  chat template ${e(t.key, 120)} (${num(t.length)} chars${t.truncated ? ', cut' : ''}): ${t.indicators.length === 0 ? 'no injection indicators' : t.indicators.map((i) => e(i.indicator, 60)).join(', ')}`);
  }
  for (const ref of r.references ?? []) {
    lines.push(`  reference ${ref.kind} from ${e(ref.from, 120)}: ${e(ref.target, 200)} (${ref.status})`);
  }
  const t = r.totals;
  lines.push(`  tensors:  ${num(t.count)}${r.tensorsTruncated ? '+' : ''}, ${num(t.parameters)} parameters, ${formatBytes(t.bytes)}`);
  const dtypes = Object.entries(t.byDtype);
  if (dtypes.length > 0) lines.push(`    by dtype: ${dtypes.map(([d, v]) => `${e(d, 40)} ${num(v.count)} tensors / ${num(v.parameters)} params / ${formatBytes(v.bytes)}`).join('; ')}`);
  if (r.tensors.length > 0 && maxTensors > 0) {
    const rows = [['NAME', 'DTYPE', 'SHAPE', 'BYTES']];
    for (const ten of r.tensors.slice(0, maxTensors)) rows.push([e(ten.name, 80), e(ten.dtype, 24), `[${ten.shape.join(', ')}]`, ten.bytes === undefined ? '-' : num(ten.bytes)]);
    lines.push(...table(rows, '    '));
    if (r.tensors.length > maxTensors) lines.push(`    … ${num(r.tensors.length - maxTensors)} more tensors (use --max-tensors N or --format json)`);
  }
  lines.push(`  read:     ${num(r.bytesRead)} of ${num(r.size)} bytes in ${r.durationMs} ms${r.complete ? '' : ' (not everything that could carry code was examined)'}`);
  return lines.join('\n') + '\n';
}
