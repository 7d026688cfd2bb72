import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Position, Range } from '../../engine/types';
import type { SourceArg } from '../../invocations/build';
import { alignValue, LineIndex, MappedText } from '../text-map';

/**
 * Reading YAML (the `yaml` package) with exact ranges. Node offsets are converted with the same
 * LineIndex the rest of the front-ends use (equivalent to yaml's LineCounter, 0-based), so that
 * scalars can be handed on as mapped texts (the script of `sh -c`, a ConfigMap's embedded file).
 */

export interface YamlDocuments {
  doc: LineIndex;
  documents: Document.Parsed[];
  /** Whether any document has a syntax error (its readable part is still used). */
  hasErrors: boolean;
}

export function parseYaml(text: string): YamlDocuments {
  const doc = new LineIndex(text);
  // The YAML 1.1 schema is what Kubernetes (go-yaml) and compose read: `yes`/`on` are booleans there too.
  const documents = parseAllDocuments(text, { version: '1.1', uniqueKeys: false, strict: false, prettyErrors: false }) as Document.Parsed[] | { errors: unknown[] };
  const list = Array.isArray(documents) ? documents : [];
  return { doc, documents: list, hasErrors: list.some((d) => d.errors.length > 0) };
}

export type YNode = Node | null | undefined;

export function deref(node: YNode, document?: Document): YNode {
  if (node && isAlias(node) && document) return node.resolve(document) as YNode;
  return node;
}

export function asMap(node: YNode): YAMLMap | undefined {
  return node && isMap(node) ? node : undefined;
}

export function asSeq(node: YNode): YAMLSeq | undefined {
  return node && isSeq(node) ? node : undefined;
}

/** The value of `key` in a map (plain string keys). */
export function get(map: YAMLMap | undefined, key: string): YNode {
  if (!map) return undefined;
  for (const item of map.items) {
    const k = item.key;
    if ((isScalar(k) && String(k.value) === key) || k === key) return item.value as YNode;
  }
  return undefined;
}

export function getMap(map: YAMLMap | undefined, ...path: string[]): YAMLMap | undefined {
  let cur: YAMLMap | undefined = map;
  for (const k of path) cur = asMap(get(cur, k));
  return cur;
}

export function getSeq(map: YAMLMap | undefined, key: string): YAMLSeq | undefined {
  return asSeq(get(map, key));
}

/** The key node of `key`. */
export function keyNode(map: YAMLMap | undefined, key: string): Scalar | undefined {
  if (!map) return undefined;
  for (const item of map.items) if (isScalar(item.key) && String(item.key.value) === key) return item.key;
  return undefined;
}

/** A scalar's value as a string: plain scalars as written (so `1.10` stays `1.10`), others decoded. */
export function str(node: YNode, yd: YamlDocuments): string | undefined {
  if (!node || !isScalar(node)) return undefined;
  if (node.value === null) return undefined;
  if (node.type === 'PLAIN' && node.range) return yd.doc.text.slice(node.range[0], node.range[1]).trim();
  return String(node.value);
}

export function bool(node: YNode): boolean | undefined {
  if (!node || !isScalar(node)) return undefined;
  if (typeof node.value === 'boolean') return node.value;
  if (typeof node.value === 'string') {
    if (/^(true|yes|on)$/i.test(node.value)) return true;
    if (/^(false|no|off)$/i.test(node.value)) return false;
  }
  return undefined;
}

export function num(node: YNode): number | undefined {
  if (!node || !isScalar(node)) return undefined;
  if (typeof node.value === 'number') return node.value;
  if (typeof node.value === 'string' && /^-?\d+$/.test(node.value.trim())) return Number(node.value.trim());
  return undefined;
}

export function nodeRange(node: YNode, yd: YamlDocuments): Range {
  const r = node?.range;
  if (!r) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return yd.doc.range(r[0], r[1]);
}

/** Offsets of a scalar's value in the text: inside the quotes, after a block scalar's header line. */
export function innerOffsets(node: Scalar, yd: YamlDocuments): [number, number] {
  const r = node.range!;
  let s = r[0];
  let e = r[1];
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
    s += 1;
    e = Math.max(s, e - 1);
  } else if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const nl = yd.doc.text.indexOf('\n', s);
    s = nl >= 0 && nl < e ? nl + 1 : s;
    while (e > s && /\s/.test(yd.doc.text[e - 1])) e--;
  }
  return [s, e];
}

/** A scalar as an argument: decoded value, range without quotes, and its mapped text. */
export function scalarArg(node: YNode, yd: YamlDocuments): SourceArg | undefined {
  if (!node || !isScalar(node) || !node.range) return undefined;
  const value = str(node, yd) ?? '';
  const [s, e] = innerOffsets(node, yd);
  const raw = yd.doc.text.slice(s, e);
  const rawRange = yd.doc.range(node.range[0], node.range[1]);
  if (raw === value) return { value, range: yd.doc.range(s, e), rawRange, resolved: true, verbatim: true, mapped: MappedText.slice(yd.doc, s, e) };
  const mapped = alignValue(value, yd.doc, s, node.range[1]);
  const range = mapped && value.length > 0 ? mapped.range(0, value.length) : yd.doc.range(s, e);
  return { value, range, rawRange, resolved: true, ...(mapped ? { mapped } : {}) };
}

/** Where and how to add a key to a mapping. */
export interface MappingEdit {
  range: Range;
  flow: boolean;
  /** Column of the mapping's keys (block mappings). */
  keyColumn: number;
  /** Insertion point for a new key: end of the mapping's last line (block), before `}` (flow). */
  insertAt: Position;
  /** Whether the flow mapping has entries (a comma is then needed). */
  empty: boolean;
}

export function mappingEdit(map: YAMLMap, yd: YamlDocuments): MappingEdit {
  const r = map.range ?? [0, 0, 0];
  const flow = !!map.flow;
  const text = yd.doc.text;
  const firstKey = map.items.find((i) => isPair(i) && i.key && (i.key as Node).range)?.key as Node | undefined;
  const keyStart = firstKey?.range?.[0] ?? r[0];
  const keyColumn = yd.doc.position(keyStart).character;
  let insert: number;
  if (flow) {
    const close = text.lastIndexOf('}', Math.max(r[1] - 1, r[0]));
    insert = close >= r[0] ? close : r[1];
    // Keep a space before `}` if the mapping had one.
    while (insert > r[0] && text[insert - 1] === ' ') insert--;
  } else {
    // End of the line holding the last value character.
    let end = r[1];
    while (end > r[0] && /\s/.test(text[end - 1])) end--;
    const nl = text.indexOf('\n', end);
    insert = nl < 0 ? text.length : nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
  }
  return { range: yd.doc.range(r[0], r[1]), flow, keyColumn, insertAt: yd.doc.position(insert), empty: map.items.length === 0 };
}

/** The text that inserts `key: value` into a mapping at `insertAt`. */
export function insertKeyText(m: MappingEdit, key: string, value: string): string {
  if (m.flow) return `${m.empty ? '' : ', '}${key}: ${value}`;
  return `\n${' '.repeat(m.keyColumn)}${key}: ${value}`;
}

/** Helm and other Go templates are not YAML until rendered: a `{{` outside quoted scalars. */
export function looksLikeTemplate(text: string): boolean {
  if (!text.includes('{{')) return false;
  for (const line of text.split('\n')) {
    const i = line.indexOf('{{');
    if (i < 0) continue;
    const before = line.slice(0, i);
    if (/^\s*#/.test(before)) continue;
    // Inside a quoted scalar (`summary: "{{ $labels.x }}"`), the braces are text.
    const dq = (before.match(/"/g) ?? []).length;
    const sq = (before.match(/'/g) ?? []).length;
    if (dq % 2 === 1 || sq % 2 === 1) continue;
    return true;
  }
  return false;
}
