/**
 * The model preview's webview script (bundled by esbuild to dist/preview.js, browser IIFE). It
 * renders a ModelReport sent by the extension. Every string that comes from the file is hostile:
 * it is only ever inserted as a text node (textContent / createTextNode), never as HTML, and no
 * attribute other than class/title/aria is set from report data.
 */
import type { JsonValue, ModelReport, TensorInfo, ValidationCheck } from '../../../../server/src/models/types';
import { parseToWebview, type FromWebview } from '../messages';
import { formatBytes } from '../../../../server/src/models/format-bytes';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Kept in this closure only (style.md lesson 12: never exposed on window). */
const vscode = acquireVsCodeApi();
const post = (m: FromWebview) => vscode.postMessage(m);

interface UiState { filter: string; page: number }
const saved = vscode.getState() as Partial<UiState> | undefined;
const ui: UiState = { filter: typeof saved?.filter === 'string' ? saved.filter : '', page: typeof saved?.page === 'number' ? saved.page : 0 };
const saveState = () => vscode.setState(ui);

const PAGE_SIZE = 200;
const LONG_VALUE = 160;

// ---------------------------------------------------------------------------------------------
// DOM helpers (text only)

type Child = Node | string | number | undefined | null | false;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: { class?: string; title?: string; id?: string } | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs?.class) el.className = attrs.class;
  if (attrs?.title) el.title = attrs.title;
  if (attrs?.id) el.id = attrs.id;
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}

const fmt = (n: number) => n.toLocaleString('en-US');
function bytes(n: number | undefined): string {
  return n === undefined ? '–' : formatBytes(n);
}

function jsonText(v: JsonValue | undefined): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return String(v);
  }
}

/** A value cell: short values as text, long ones collapsed behind an expander. */
function valueNode(text: string): Node {
  if (text.length <= LONG_VALUE && !text.includes('\n')) return h('span', { class: 'value' }, text);
  const details = h('details', { class: 'long-value' });
  details.append(h('summary', null, `${text.slice(0, LONG_VALUE).replace(/\n/g, '⏎')}… (${fmt(text.length)} chars)`));
  details.append(h('pre', { class: 'value' }, text));
  return details;
}

function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', null, h('h2', null, title), ...children);
}

function kvTable(rows: [string, string][], cls = 'kv'): HTMLTableElement {
  const table = h('table', { class: cls });
  const body = h('tbody', null);
  for (const [k, v] of rows) body.append(h('tr', null, h('th', { class: 'key' }, k), h('td', null, valueNode(v))));
  table.append(body);
  return table;
}

function gridTable(headers: string[], rows: Child[][], cls = 'grid'): HTMLTableElement {
  const table = h('table', { class: cls });
  table.append(h('thead', null, h('tr', null, ...headers.map((x) => h('th', null, x)))));
  const body = h('tbody', null);
  for (const r of rows) body.append(h('tr', null, ...r.map((c) => h('td', null, c))));
  table.append(body);
  return table;
}

/** The format's validation checklist, collapsed unless a check failed. */
function checks(list: ValidationCheck[] | undefined): Node | undefined {
  if (!list || list.length === 0) return undefined;
  const failed = list.filter((c) => !c.ok).length;
  const details = h('details', { class: 'checks-block' },
    h('summary', null, failed === 0 ? `Validation: all ${list.length} checks passed` : `Validation: ${failed} of ${list.length} checks failed`),
    h('ul', { class: 'checks' }, ...list.map((c) => h('li', { class: c.ok ? 'ok' : 'fail' }, c.ok ? '✓ ' : '✗ ', c.check, c.detail ? `: ${c.detail}` : ''))));
  details.open = failed > 0;
  return details;
}

// ---------------------------------------------------------------------------------------------
// Rendering

const root = document.getElementById('root')!;

function renderStatus(text: string, cls = 'status'): void {
  root.replaceChildren(h('p', { class: cls }, text));
}

function renderError(name: string, message: string): void {
  root.replaceChildren(
    h('header', null, h('h1', null, name)),
    h('p', { class: 'error-message' }, message),
    toolbar(false),
  );
}

function toolbar(canCopy: boolean): HTMLElement {
  const bar = h('div', { class: 'toolbar' });
  if (canCopy) {
    const copy = h('button', { id: 'copy-json' }, 'Copy as JSON');
    copy.addEventListener('click', () => post({ type: 'copyJson' }));
    bar.append(copy);
  }
  const refresh = h('button', { id: 'refresh', class: 'secondary' }, 'Re-inspect');
  refresh.addEventListener('click', () => post({ type: 'refresh' }));
  bar.append(refresh);
  return bar;
}

function renderReport(name: string, r: ModelReport): void {
  const parts: Child[] = [];
  parts.push(
    h('header', null,
      h('h1', null, name),
      h('div', { class: 'format' }, h('span', { class: 'label' }, 'Format '), h('code', { id: 'format' }, r.format), r.variant ? h('span', { class: 'variant' }, ` — ${r.variant}`) : null),
      h('div', { class: `verdict verdict-${r.verdict}`, id: 'verdict' }, h('strong', null, r.verdict.toUpperCase()), h('span', null, ` ${r.summary}`)),
      h('div', { class: 'meta-line' }, `${fmt(r.size)} bytes on disk · read ${fmt(r.bytesRead)} bytes in ${r.durationMs} ms${r.complete ? '' : ' · not everything that could carry code was examined'}`),
      toolbar(true),
    ),
  );

  // Findings
  if (r.findings.length > 0) {
    const list = h('ol', { class: 'findings' });
    for (const f of r.findings) {
      const d = f.detail;
      const where: [string, string | number | undefined][] = [
        ['reason', d.reason], ['global', d.global], ['opcode', d.opcode], ['entry', d.entry], ['stream', d.stream], ['offset', d.offset], ['matched', d.matched], ['details', d.extra],
      ];
      list.append(h('li', { class: `finding sev-${f.severity}` },
        h('div', null, h('span', { class: 'badge' }, f.severity), ' ', h('code', null, f.ruleId), ' ', h('span', { class: 'message' }, f.message)),
        h('div', { class: 'detail' }, ...where.filter(([, v]) => v !== undefined).map(([k, v]) => h('span', { class: 'detail-item' }, h('span', { class: 'label' }, `${k}: `), String(v)))),
      ));
    }
    parts.push(section(`Findings (${r.findings.length})`, list));
  } else {
    parts.push(section('Findings', h('p', null, 'None: everything that was examined is within the allowlists.')));
  }

  // Header and metadata
  const metaRows = Object.entries(r.metadata).map(([k, v]): [string, string] => [k, jsonText(v)]);
  if (metaRows.length > 0) parts.push(section('Header and metadata', kvTable(metaRows)));

  // Totals
  const t = r.totals;
  parts.push(section('Totals',
    h('p', { id: 'totals' }, `${fmt(t.count)}${r.tensorsTruncated ? '+' : ''} tensors · ${fmt(t.parameters)} parameters · ${bytes(t.bytes)}`),
    Object.keys(t.byDtype).length > 0 ? gridTable(['dtype', 'tensors', 'parameters', 'bytes'], Object.entries(t.byDtype).map(([d, v]) => [d, fmt(v.count), fmt(v.parameters), bytes(v.bytes)])) : null));

  // Tensors (filterable, paginated)
  if (r.tensors.length > 0) parts.push(tensorSection(r.tensors, !!r.tensorsTruncated));

  if (r.safetensors) {
    const s = r.safetensors;
    const rows: [string, string][] = [['header length', fmt(s.headerLength)], ['data offset', fmt(s.dataOffset)], ['data bytes', fmt(s.dataBytes)], ['tensors', fmt(s.tensorCount)]];
    for (const [k, v] of Object.entries(s.metadata ?? {})) rows.push([`__metadata__.${k}`, v]);
    parts.push(section('safetensors header', kvTable(rows), checks(s.checks)));
  }
  if (r.gguf) {
    const g = r.gguf;
    parts.push(section(`GGUF v${g.version} (${g.endianness}-endian, ${fmt(g.kvCount)} keys, alignment ${g.alignment})`,
      gridTable(['key', 'type', 'value'], g.kv.map((kv) => [kv.key, kv.elementType ? `${kv.type}[${kv.elementType}; ${kv.length ?? '?'}]` : kv.type, valueNode(jsonText(kv.value ?? null) + (kv.truncated ? ' …' : ''))])),
      g.kvTruncated ? h('p', { class: 'note' }, 'More keys exist than are listed.') : null,
      checks(g.checks)));
  }
  if (r.onnx) {
    const o = r.onnx;
    const rows: [string, string][] = [];
    const add = (k: string, v: unknown) => v !== undefined && v !== '' && rows.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
    add('IR version', o.irVersion); add('producer', [o.producerName, o.producerVersion].filter(Boolean).join(' ')); add('domain', o.domain); add('model version', o.modelVersion);
    add('opsets', o.opsetImport.map((x) => `${x.domain || 'ai.onnx'} ${x.version}`).join(', ')); add('graph', o.graphName); add('nodes', o.nodeCount);
    add('op types', Object.entries(o.opTypes).map(([k, v]) => `${k}×${v}`).join(', ')); add('custom domains', o.customDomains.join(', ') || undefined);
    add('inputs', o.inputs.map((i) => `${i.name}: ${i.elemType ?? '?'}[${(i.shape ?? []).map((d) => d ?? '?').join(', ')}]`).join('; '));
    add('outputs', o.outputs.map((i) => `${i.name}: ${i.elemType ?? '?'}[${(i.shape ?? []).map((d) => d ?? '?').join(', ')}]`).join('; '));
    add('initializers', `${fmt(o.initializerCount)} (${bytes(o.initializerBytes.inline)} inline, ${bytes(o.initializerBytes.external)} external)`);
    add('doc string', o.docString);
    for (const p of o.metadataProps) rows.push([`metadata_props.${p.key}`, p.value]);
    parts.push(section('ONNX model', kvTable(rows)));
  }
  if (r.numpy) {
    const n = r.numpy;
    parts.push(section('NumPy header', kvTable([['version', n.version], ['descr', jsonText(n.descr)], ['fortran_order', String(n.fortranOrder)], ['shape', `(${n.shape.join(', ')})`], ['header length', fmt(n.headerLength)], ['objects', String(n.hasObjects)]])));
  }
  if (r.keras) {
    const k = r.keras;
    const rows: [string, string][] = [['source', k.source]];
    if (k.kerasVersion) rows.push(['keras version', k.kerasVersion]);
    if (k.backend) rows.push(['backend', k.backend]);
    if (k.modelClass) rows.push(['model class', k.modelClass]);
    if (k.modelName) rows.push(['model name', k.modelName]);
    parts.push(section('Keras model', kvTable(rows),
      k.layers.length > 0 ? gridTable(['path', 'class', 'name', 'module', 'flagged'], k.layers.slice(0, 500).map((l) => [l.path, l.className, l.name ?? '', l.module ?? '', l.flagged ?? ''])) : null));
  }
  if (r.hdf5) {
    const x = r.hdf5;
    parts.push(section('HDF5', kvTable([['superblock', `v${x.superblockVersion} at ${x.superblockOffset}`], ['objects', `${fmt(x.objects)} (${fmt(x.groups)} groups, ${fmt(x.datasets)} datasets)`], ['links', `${x.links.hard} hard, ${x.links.soft} soft, ${x.links.external} external`]]),
      x.rootAttributes.length > 0 ? gridTable(['attribute', 'dtype', 'shape', 'value'], x.rootAttributes.map((a) => [a.name, a.dtype, `(${a.shape.join(', ')})`, valueNode(jsonText(a.value ?? null))])) : null,
      checks(x.checks)));
  }
  if (r.shardIndex) {
    const s = r.shardIndex;
    parts.push(section(`Shard index (${fmt(s.tensorCount)} tensors)`, gridTable(['shard', 'tensors', 'status'], s.shards.map((x) => [x.name, fmt(x.tensors), x.status]))));
  }

  // Pickle imports
  if (r.pickle) {
    const p = r.pickle;
    parts.push(section(`Pickle imports (${p.globals.length}${p.globalsTruncated ? '+' : ''})`,
      h('p', null, `${p.streams.length} stream(s), ${fmt(p.totalOpcodes)} opcodes; compatible with torch weights_only: ${p.weightsOnlyCompatible ? 'yes' : 'no'}`),
      p.globals.length > 0
        ? gridTable(['classification', 'global', 'imports', 'calls', 'why', 'where'], p.globals.map((g) => [h('span', { class: `cls cls-${g.classification}` }, g.classification), h('code', null, `${g.module}.${g.name}`), fmt(g.count), fmt(g.calls), g.reason, `${g.entry ? `${g.entry} ` : ''}@${g.offset}`]), 'grid globals')
        : null));
  }

  // Zip
  if (r.zip) {
    const z = r.zip;
    const flagged = z.entries.filter((e) => (e.anomalies?.length ?? 0) > 0);
    parts.push(section(`Zip archive (${fmt(z.entryCount)} entries${z.zip64 ? ', ZIP64' : ''})`,
      h('p', null, `central directory at ${fmt(z.centralDirectoryOffset)} (${fmt(z.centralDirectorySize)} bytes) · ${fmt(z.prefixBytes)} bytes before · ${fmt(z.trailingBytes)} trailing${z.root ? ` · root folder ${z.root}` : ''}`),
      z.anomalies.length > 0 ? h('ul', { class: 'anomalies' }, ...z.anomalies.map((a) => h('li', null, h('code', null, a.kind), a.entry ? ` ${a.entry}: ` : ': ', a.message))) : null,
      gridTable(['entry', 'method', 'compressed', 'size', 'content', 'anomalies'], (flagged.length > 0 ? [...flagged, ...z.entries.filter((e) => !flagged.includes(e))] : z.entries).slice(0, 1000).map((e) => [e.name, String(e.method), fmt(e.compressedSize), fmt(e.uncompressedSize), e.content ?? '', (e.anomalies ?? []).join('; ')]))));
  }

  // Chat templates (never rendered: preformatted text)
  for (const c of r.chatTemplates ?? []) {
    parts.push(section(`Chat template: ${c.key}`,
      h('p', null, `${fmt(c.length)} characters${c.truncated ? ' (cut)' : ''}; ${c.indicators.length === 0 ? 'no injection indicators' : `${c.indicators.length} injection indicator(s)`}`),
      c.indicators.length > 0 ? h('ul', null, ...c.indicators.map((i) => h('li', null, h('code', null, i.indicator), ` at ${i.offset}: `, h('code', null, i.excerpt)))) : null,
      h('pre', { class: 'template' }, c.template)));
  }

  // References (never followed)
  if (r.references && r.references.length > 0) {
    parts.push(section('References to other files (never opened)', gridTable(['kind', 'from', 'target', 'status'], r.references.map((x) => [x.kind, x.from, x.target, x.status + (x.problems?.length ? `: ${x.problems.join('; ')}` : '')]))));
  }

  if (r.candidates.length > 0 || r.notes.length > 0) {
    parts.push(section('Detection and notes',
      r.candidates.length > 0 ? h('p', null, `Content detection: ${r.candidates.map((c) => `${c.kind}@${c.offset} (${c.confidence})`).join(', ')}`) : null,
      h('ul', { class: 'notes' }, ...r.notes.map((n) => h('li', null, n)))));
  }
  root.replaceChildren(...parts.filter((p): p is Node => p instanceof Node));
}

function tensorSection(tensors: TensorInfo[], truncated: boolean): HTMLElement {
  const input = h('input', { id: 'tensor-filter', title: 'Filter tensors by name or dtype' });
  input.type = 'search';
  input.placeholder = 'Filter tensors (name or dtype)';
  input.value = ui.filter;
  const info = h('span', { class: 'page-info' });
  const prev = h('button', { class: 'secondary' }, '‹ Prev');
  const next = h('button', { class: 'secondary' }, 'Next ›');
  const body = h('tbody', null);
  const table = h('table', { class: 'grid tensors', id: 'tensor-table' },
    h('thead', null, h('tr', null, h('th', null, 'name'), h('th', null, 'dtype'), h('th', null, 'shape'), h('th', { class: 'num' }, 'parameters'), h('th', { class: 'num' }, 'bytes'))),
    body);
  let matches: TensorInfo[] = tensors;
  const apply = () => {
    const q = ui.filter.trim().toLowerCase();
    matches = q ? tensors.filter((t) => t.name.toLowerCase().includes(q) || t.dtype.toLowerCase().includes(q)) : tensors;
    const pages = Math.max(1, Math.ceil(matches.length / PAGE_SIZE));
    ui.page = Math.min(Math.max(0, ui.page), pages - 1);
    const start = ui.page * PAGE_SIZE;
    const rows = matches.slice(start, start + PAGE_SIZE).map((t) => {
      const params = t.shape.reduce((a, b) => a * b, 1);
      return h('tr', null, h('td', { class: 'name' }, t.name), h('td', null, t.quantization ?? t.dtype), h('td', null, `[${t.shape.join(', ')}]`), h('td', { class: 'num' }, fmt(params)), h('td', { class: 'num' }, t.bytes === undefined ? '–' : fmt(t.bytes)));
    });
    body.replaceChildren(...rows);
    info.textContent = matches.length === 0 ? 'no tensors match' : `${fmt(start + 1)}–${fmt(Math.min(start + PAGE_SIZE, matches.length))} of ${fmt(matches.length)}${q ? ` matching (of ${fmt(tensors.length)})` : ''}`;
    prev.disabled = ui.page === 0;
    next.disabled = ui.page >= pages - 1;
    saveState();
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener('input', () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      ui.filter = input.value;
      ui.page = 0;
      apply();
    }, tensors.length > 5000 ? 150 : 0);
  });
  prev.addEventListener('click', () => {
    ui.page--;
    apply();
  });
  next.addEventListener('click', () => {
    ui.page++;
    apply();
  });
  apply();
  return section(`Tensors (${fmt(tensors.length)}${truncated ? '+, list capped' : ''})`, h('div', { class: 'table-controls' }, input, prev, next, info), table);
}

// ---------------------------------------------------------------------------------------------
// Messages

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseToWebview(event.data);
  if (!message) return;
  try {
    switch (message.type) {
      case 'loading':
        renderStatus(`Inspecting ${message.name}…`);
        return;
      case 'error':
        renderError(message.name, message.message);
        return;
      case 'report':
        renderReport(message.name, message.report);
        return;
    }
  } catch (e) {
    renderStatus(`The report could not be shown: ${(e as Error)?.message ?? String(e)}`, 'error-message');
  }
});

post({ type: 'ready' });
