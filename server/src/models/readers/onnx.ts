/**
 * ONNX (formats.md §4): the protobuf ModelProto walked field by field with the wire walker —
 * tensor payloads (`raw_data` and typed data) are skipped by length, never read. Collected:
 * ir_version, producer, domain, model_version, doc_string, opset_import, metadata_props; graph
 * name, nodes and their op types (custom domains listed as information), initializers (name,
 * dtype, dims, bytes, offset of inline raw_data), inputs/outputs with shapes, local functions,
 * training_info, subgraphs (If/Loop/Scan attributes, nesting capped at 32).
 *
 * `external_data` entries (initializers, attribute tensors, sparse tensors) are references to other
 * files: `location` is validated lexically (absolute, `..`, drive letter, UNC, URL, `%00` →
 * `model-file-external-data-traversal`), offset/length must be non-negative integers, keys
 * outside location/offset/length/checksum/basepath are reported (GHSA-538c-55jv-c5g9,
 * CVE-2026-34445). Nothing is ever opened.
 */
import type { ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import { fieldText, int64, varints, walkMessage, Window, WireError, WIRE_LEN, WIRE_VARINT, type WireField } from '../protobuf/wire';
import type { FormatCandidate, OnnxSection, OnnxValueInfo, TensorInfo } from '../types';
import { reportReference } from './shared';

/** TensorProto.DataType → [name, bits per element]. */
export const ONNX_DTYPES: Readonly<Record<number, [string, number]>> = {
  1: ['float32', 32], 2: ['uint8', 8], 3: ['int8', 8], 4: ['uint16', 16], 5: ['int16', 16], 6: ['int32', 32], 7: ['int64', 64],
  8: ['string', 0], 9: ['bool', 8], 10: ['float16', 16], 11: ['float64', 64], 12: ['uint32', 32], 13: ['uint64', 64],
  14: ['complex64', 64], 15: ['complex128', 128], 16: ['bfloat16', 16], 17: ['float8_e4m3fn', 8], 18: ['float8_e4m3fnuz', 8],
  19: ['float8_e5m2', 8], 20: ['float8_e5m2fnuz', 8], 21: ['uint4', 4], 22: ['int4', 4], 23: ['float4_e2m1', 4], 24: ['float8_e8m0', 8],
  25: ['uint2', 2], 26: ['int2', 2],
};
const STANDARD_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'ai.onnx.training', 'ai.onnx.preview.training']);
const EXTERNAL_KEYS = new Set(['location', 'offset', 'length', 'checksum', 'basepath']);
/** Typed-data fields of TensorProto (skipped; their length gives the inline size). */
const TYPED_DATA = new Set([4, 5, 6, 7, 10, 11]);
const LISTED = 10_000;

interface Walk {
  ctx: InspectContext;
  w: Window;
  section: OnnxSection;
  budget: { fields: number };
  functionDomains: Set<string>;
  nodeDomains: Set<string>;
  depthReported: boolean;
  externalProblems: number;
}

const str = (w: Window, f: WireField, max = 4096) => (f.wire === WIRE_LEN ? fieldText(w, f, max) : '');
const num = (f: WireField) => (f.wire === WIRE_VARINT ? Number(int64(f.varint!)) : undefined);
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function readOnnx(ctx: InspectContext, source: ByteSource, candidate: FormatCandidate): void {
  const report = ctx.report;
  if (candidate.note?.includes('text')) {
    ctx.setFormat('onnx', 'ONNX text format (protobuf text)');
    report.incomplete('the ONNX text format (textproto) is not parsed; external_data locations in it were not checked');
    return;
  }
  const section: OnnxSection = {
    opsetImport: [], metadataProps: [], nodeCount: 0, opTypes: {}, customDomains: [], inputs: [], outputs: [],
    initializerCount: 0, initializerBytes: { inline: 0, external: 0 }, subgraphCount: 0, maxSubgraphDepth: 0, functions: [], trainingInfo: 0, externalData: [],
  };
  const st: Walk = { ctx, w: new Window(source), section, budget: { fields: ctx.limits.onnxFields }, functionDomains: new Set(), nodeDomains: new Set(), depthReported: false, externalProblems: 0 };
  const w = st.w;
  let graphs = 0;
  ctx.setFormat('onnx', 'ONNX model');
  try {
    walkMessage(w, 0, source.size, (f) => {
      switch (f.field) {
        case 1: section.irVersion = num(f); break;
        case 2: section.producerName = cut(str(w, f, 1024), 200); break;
        case 3: section.producerVersion = cut(str(w, f, 1024), 200); break;
        case 4: section.domain = cut(str(w, f, 1024), 200); break;
        case 5: section.modelVersion = num(f); break;
        case 6: section.docString = cut(str(w, f, 8192), 4096); break;
        case 7:
          if (f.wire === WIRE_LEN) {
            graphs++;
            readGraph(st, f, 0, true);
          }
          break;
        case 8:
          if (f.wire === WIRE_LEN) {
            let domain = '';
            let version = 0;
            walkMessage(w, f.offset!, f.offset! + f.length!, (g) => {
              if (g.field === 1) domain = str(w, g, 1024);
              else if (g.field === 2) version = num(g) ?? 0;
            }, st.budget);
            if (section.opsetImport.length < 1000) section.opsetImport.push({ domain: cut(domain, 200), version });
          }
          break;
        case 14:
          if (f.wire === WIRE_LEN && section.metadataProps.length < 1000) section.metadataProps.push(stringEntry(st, f));
          break;
        case 20:
          if (f.wire === WIRE_LEN) {
            section.trainingInfo++;
            walkMessage(w, f.offset!, f.offset! + f.length!, (g) => {
              if ((g.field === 1 || g.field === 2) && g.wire === WIRE_LEN) readGraph(st, g, 1, false);
            }, st.budget);
          }
          break;
        case 25:
          if (f.wire === WIRE_LEN) readFunction(st, f);
          break;
        default:
          break;
      }
    }, st.budget);
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    report.malformed('invalid', `The ONNX protobuf is ${e.truncated ? 'truncated' : 'malformed'}: ${e.message}`, { reason: e.truncated ? 'truncated' : e.message.includes('too many') ? 'limit-exceeded' : 'parse-error', offset: e.offset, entry: ctx.entry });
  }
  if (graphs === 0) report.malformed('invalid', 'The ONNX model has no graph (ModelProto field 7)', { reason: 'header-invalid', entry: ctx.entry });
  if (section.irVersion === undefined) report.malformed('suspicious', 'The ONNX model has no ir_version; runtimes refuse it', { reason: 'header-invalid', entry: ctx.entry }, 'warning');
  else if (section.irVersion >= 3 && section.opsetImport.length === 0 && graphs > 0) {
    // (also what a file cut right after its graph looks like)
    report.malformed('invalid', `The ONNX model (IR version ${section.irVersion}) has no opset_import: the checker and runtimes refuse it (truncated after the graph?)`, { reason: 'header-invalid', entry: ctx.entry });
  }
  for (const o of section.opsetImport) if (!STANDARD_DOMAINS.has(o.domain)) st.nodeDomains.add(o.domain);
  section.customDomains = [...st.nodeDomains].filter((d) => !STANDARD_DOMAINS.has(d) && !st.functionDomains.has(d)).sort();
  if (section.customDomains.length > 0) {
    report.note(`Custom-domain operators (${section.customDomains.slice(0, 10).join(', ')}) need native custom-op libraries to run (onnxruntime's own contrib ops live in com.microsoft); shown for information, not a finding.`);
  }
  const opset = section.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  ctx.setFormat('onnx', `ONNX model${section.irVersion !== undefined ? `, IR version ${section.irVersion}` : ''}${opset !== undefined ? `, opset ${opset}` : ''}${section.producerName ? `, produced by ${section.producerName}${section.producerVersion ? ` ${section.producerVersion}` : ''}` : ''}`);
  if (ctx.isTop) {
    report.onnx = section;
    if (section.irVersion !== undefined) report.meta('onnx.ir_version', section.irVersion);
    if (section.producerName !== undefined) report.meta('onnx.producer_name', section.producerName);
    if (section.producerVersion !== undefined) report.meta('onnx.producer_version', section.producerVersion);
    if (section.domain) report.meta('onnx.domain', section.domain);
    if (section.modelVersion !== undefined) report.meta('onnx.model_version', section.modelVersion);
    if (opset !== undefined) report.meta('onnx.opset', opset);
    if (section.graphName !== undefined) report.meta('onnx.graph', section.graphName);
    report.meta('onnx.nodes', section.nodeCount);
    if (section.customDomains.length > 0) report.meta('onnx.custom_domains', section.customDomains);
    for (const p of section.metadataProps.slice(0, 100)) report.meta(`onnx.metadata.${p.key}`, p.value);
  }
}

function stringEntry(st: Walk, f: WireField): { key: string; value: string } {
  let key = '';
  let value = '';
  walkMessage(st.w, f.offset!, f.offset! + f.length!, (g) => {
    if (g.field === 1) key = str(st.w, g, 4096);
    else if (g.field === 2) value = str(st.w, g, 8192);
  }, st.budget);
  return { key: cut(key, 1000), value: cut(value, 4096) };
}

function readGraph(st: Walk, f: WireField, depth: number, main: boolean): void {
  const { ctx, w, section } = st;
  if (depth > ctx.limits.onnxSubgraphDepth) {
    if (!st.depthReported) {
      st.depthReported = true;
      ctx.report.malformed('invalid', `ONNX subgraphs are nested deeper than ${ctx.limits.onnxSubgraphDepth} levels; the deeper ones were not examined`, { reason: 'limit-exceeded', offset: f.at, entry: ctx.entry });
      ctx.report.incomplete(`ONNX subgraphs below depth ${ctx.limits.onnxSubgraphDepth}`);
    }
    return;
  }
  ctx.checkTime();
  if (depth > 0) section.subgraphCount++;
  if (depth > section.maxSubgraphDepth) section.maxSubgraphDepth = depth;
  walkMessage(w, f.offset!, f.offset! + f.length!, (g) => {
    if (g.wire !== WIRE_LEN) return;
    switch (g.field) {
      case 1: readNode(st, g, depth); break;
      case 2: if (main && section.graphName === undefined) section.graphName = cut(str(w, g, 1024), 200); break;
      case 5: readTensor(st, g, 'initializer', true); break;
      case 15:
        // SparseTensorProto: values (1) and indices (2) are TensorProtos
        walkMessage(w, g.offset!, g.offset! + g.length!, (h) => {
          if ((h.field === 1 || h.field === 2) && h.wire === WIRE_LEN) readTensor(st, h, h.field === 1 ? 'sparse initializer values' : 'sparse initializer indices', h.field === 1);
        }, st.budget);
        break;
      case 11: if (main && section.inputs.length < LISTED) section.inputs.push(readValueInfo(st, g)); break;
      case 12: if (main && section.outputs.length < LISTED) section.outputs.push(readValueInfo(st, g)); break;
      default: break;
    }
  }, st.budget);
}

function readNode(st: Walk, f: WireField, depth: number): void {
  const { w, section } = st;
  let op = '';
  let domain = '';
  const attrs: WireField[] = [];
  walkMessage(w, f.offset!, f.offset! + f.length!, (g) => {
    if (g.wire !== WIRE_LEN) return;
    if (g.field === 4) op = str(w, g, 256);
    else if (g.field === 7) domain = str(w, g, 256);
    else if (g.field === 5) attrs.push(g);
  }, st.budget);
  section.nodeCount++;
  if ((section.nodeCount & 1023) === 0) st.ctx.checkTime();
  const key = domain && domain !== 'ai.onnx' ? `${cut(domain, 100)}::${cut(op, 100)}` : cut(op, 100);
  if (section.opTypes[key] !== undefined || Object.keys(section.opTypes).length < 2000) section.opTypes[key] = (section.opTypes[key] ?? 0) + 1;
  if (domain && st.nodeDomains.size < 1000) st.nodeDomains.add(cut(domain, 200));
  for (const a of attrs) readAttribute(st, a, depth);
}

function readAttribute(st: Walk, f: WireField, depth: number): void {
  const { w } = st;
  walkMessage(w, f.offset!, f.offset! + f.length!, (g) => {
    if (g.wire !== WIRE_LEN) return;
    if (g.field === 5 || g.field === 10) readTensor(st, g, 'attribute tensor', false);
    else if (g.field === 6 || g.field === 11) readGraph(st, g, depth + 1, false);
    else if (g.field === 22 || g.field === 23) {
      walkMessage(w, g.offset!, g.offset! + g.length!, (h) => {
        if ((h.field === 1 || h.field === 2) && h.wire === WIRE_LEN) readTensor(st, h, 'attribute sparse tensor', false);
      }, st.budget);
    }
  }, st.budget);
}

function readFunction(st: Walk, f: WireField): void {
  const { w, section } = st;
  let name = '';
  let domain = '';
  const nodes: WireField[] = [];
  walkMessage(w, f.offset!, f.offset! + f.length!, (g) => {
    if (g.wire !== WIRE_LEN) return;
    if (g.field === 1) name = str(w, g, 256);
    else if (g.field === 10) domain = str(w, g, 256);
    else if (g.field === 7) nodes.push(g);
  }, st.budget);
  if (section.functions.length < 1000) section.functions.push(cut(domain ? `${domain}::${name}` : name, 200));
  if (domain) st.functionDomains.add(cut(domain, 200));
  for (const n of nodes) readNode(st, n, 1);
}

function readValueInfo(st: Walk, f: WireField): OnnxValueInfo {
  const { w } = st;
  const out: OnnxValueInfo = { name: '' };
  walkMessage(w, f.offset!, f.offset! + f.length!, (g) => {
    if (g.field === 1 && g.wire === WIRE_LEN) out.name = cut(str(w, g, 1024), 300);
    else if (g.field === 2 && g.wire === WIRE_LEN) {
      walkMessage(w, g.offset!, g.offset! + g.length!, (t) => {
        if (t.wire !== WIRE_LEN) return;
        if (t.field === 1 || t.field === 8) {
          // tensor_type / sparse_tensor_type: elem_type (1), shape (2)
          walkMessage(w, t.offset!, t.offset! + t.length!, (x) => {
            if (x.field === 1 && x.wire === WIRE_VARINT) out.elemType = ONNX_DTYPES[Number(x.varint)]?.[0] ?? `type ${x.varint}`;
            else if (x.field === 2 && x.wire === WIRE_LEN) {
              const shape: (number | string | null)[] = [];
              walkMessage(w, x.offset!, x.offset! + x.length!, (d) => {
                if (d.field !== 1 || d.wire !== WIRE_LEN || shape.length >= 64) return;
                let dim: number | string | null = null;
                walkMessage(w, d.offset!, d.offset! + d.length!, (y) => {
                  if (y.field === 1 && y.wire === WIRE_VARINT) dim = Number(int64(y.varint!));
                  else if (y.field === 2 && y.wire === WIRE_LEN) dim = cut(str(w, y, 256), 100);
                }, st.budget);
                shape.push(dim);
              }, st.budget);
              out.shape = shape;
            }
          }, st.budget);
          if (t.field === 8 && out.elemType) out.elemType = `sparse ${out.elemType}`;
        } else if (t.field === 4) out.elemType = 'sequence';
        else if (t.field === 5) out.elemType = 'map';
        else if (t.field === 9) out.elemType = 'optional';
      }, st.budget);
    }
  }, st.budget);
  return out;
}

function readTensor(st: Walk, f: WireField, role: string, listed: boolean): void {
  const { ctx, w, section } = st;
  const dims: bigint[] = [];
  let dataType = 0;
  let name = '';
  let raw: WireField | undefined;
  let typedBytes = 0;
  let location = 0;
  const external: { key: string; value: string; at: number }[] = [];
  walkMessage(w, f.offset!, f.offset! + f.length!, (g) => {
    switch (g.field) {
      case 1:
        if (dims.length < 64) for (const v of varints(w, g, 64 - dims.length)) dims.push(int64(v));
        break;
      case 2: dataType = num(g) ?? 0; break;
      case 8: name = str(w, g, 1024); break;
      case 9: if (g.wire === WIRE_LEN) raw = g; break;
      case 13:
        if (g.wire === WIRE_LEN && external.length < 64) {
          const e = stringEntry(st, g);
          external.push({ key: e.key, value: e.value, at: g.at });
        }
        break;
      case 14: location = num(g) ?? 0; break;
      default:
        if (TYPED_DATA.has(g.field) && g.wire === WIRE_LEN) typedBytes += g.length!;
        break;
    }
  }, st.budget);
  const dt = ONNX_DTYPES[dataType];
  const shownName = cut(name, 500) || `<unnamed ${role}>`;
  let nel: bigint | undefined = 1n;
  for (const d of dims) {
    if (d < 0n) nel = undefined;
    else if (nel !== undefined) nel *= d;
  }
  if (dims.some((d) => d < 0n)) ctx.report.malformed('invalid', `ONNX ${role} ${JSON.stringify(shownName)} has a negative dimension (${dims.join(' × ')})`, { reason: 'header-invalid', offset: f.at, entry: ctx.entry });
  const computed = dt && dt[1] > 0 && nel !== undefined ? (nel * BigInt(dt[1]) + 7n) / 8n : undefined;
  const isExternal = location === 1 || external.length > 0;
  const info: TensorInfo = { name: shownName, dtype: dt ? dt[0] : `onnx type ${dataType}`, shape: dims.map((d) => (d > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(d))) };
  if (raw && raw.length !== undefined) {
    info.bytes = raw.length;
    const off = ctx.fileOffset(w.source, raw.offset!);
    if (off !== undefined) info.offset = off;
    if (computed !== undefined && BigInt(raw.length) !== computed) {
      ctx.report.malformed('invalid', `ONNX ${role} ${JSON.stringify(shownName)} holds ${raw.length} bytes of raw_data, but ${info.dtype} ${JSON.stringify(info.shape)} needs ${computed}`, { reason: 'storage-mismatch', offset: raw.at, entry: ctx.entry });
    }
  } else if (computed !== undefined && computed <= BigInt(Number.MAX_SAFE_INTEGER)) info.bytes = Number(computed);
  else if (typedBytes > 0) info.bytes = typedBytes;
  if (isExternal) checkExternal(st, shownName, role, external, location, info);
  if (listed) {
    section.initializerCount++;
    if (isExternal) section.initializerBytes.external += info.bytes ?? 0;
    else section.initializerBytes.inline += info.bytes ?? 0;
    ctx.report.addTensor(info);
  }
}

function checkExternal(st: Walk, tensor: string, role: string, entries: { key: string; value: string; at: number }[], location: number, info: TensorInfo): void {
  const { ctx, section } = st;
  const report = ctx.report;
  const get = (k: string) => entries.find((e) => e.key === k);
  const loc = get('location');
  const at = entries[0]?.at;
  const problem = (msg: string) => {
    if (st.externalProblems++ < 50) report.malformed('invalid', msg, { reason: 'header-invalid', offset: at, entry: ctx.entry });
  };
  if (entries.length === 0) {
    problem(`ONNX ${role} ${JSON.stringify(tensor)} has data_location EXTERNAL but no external_data entries`);
    return;
  }
  if (location !== 1) report.note(`ONNX ${role} ${JSON.stringify(tensor)} has external_data entries but data_location is not EXTERNAL: onnx ignores them (they were checked anyway).`);
  const unknown = entries.filter((e) => !EXTERNAL_KEYS.has(e.key)).map((e) => e.key);
  const num = (k: string): { text?: string; value?: number } => {
    const e = get(k);
    if (!e) return {};
    if (!/^\d+$/.test(e.value)) {
      problem(`ONNX ${role} ${JSON.stringify(tensor)}: external_data ${k} ${JSON.stringify(cut(e.value, 60))} is not a non-negative integer (onnx refuses it)`);
      return { text: cut(e.value, 100) };
    }
    const v = Number(e.value);
    return { text: e.value, value: Number.isSafeInteger(v) ? v : undefined };
  };
  const offset = num('offset');
  const length = num('length');
  if (!loc || loc.value === '') problem(`ONNX ${role} ${JSON.stringify(tensor)} is stored externally but its external_data has no location`);
  let status: 'inside' | 'escapes' | 'odd' = 'escapes';
  if (loc) {
    status = reportReference(ctx, 'onnx-external-data', `${role} ${tensor}`, loc.value, { offset: offset.value, length: length.value, at: loc.at, where: `${role} ${JSON.stringify(tensor)}` });
    info.external = { location: cut(loc.value, 1024) };
    if (offset.value !== undefined) info.external.offset = offset.value;
    if (length.value !== undefined) info.external.length = length.value;
    if (length.value !== undefined) info.bytes = length.value;
    delete info.offset;
  }
  const base = get('basepath');
  if (base) reportReference(ctx, 'onnx-external-data', `${role} ${tensor} (basepath)`, base.value, { at: base.at, where: `basepath of ${role} ${JSON.stringify(tensor)}` });
  if (unknown.length > 0) {
    report.add('model-file-external-data-traversal', 'suspicious', `ONNX ${role} ${JSON.stringify(tensor)} has external_data keys outside location/offset/length/checksum/basepath (${unknown.slice(0, 5).map((k) => JSON.stringify(cut(k, 60))).join(', ')}): onnx ≤ 1.20.1 set them as attributes of its loader object (CVE-2026-34445, GHSA-538c-55jv-c5g9)`, {
      reason: 'unknown-external-data-key', offset: at, entry: ctx.entry, extra: unknown.slice(0, 5).join(', ').slice(0, 200),
    }, 'error');
  }
  if (section.externalData.length < LISTED) {
    const e: OnnxSection['externalData'][number] = { tensor: cut(tensor, 300), location: cut(loc?.value ?? '', 1024), status };
    if (offset.text !== undefined) e.offset = offset.text;
    if (length.text !== undefined) e.length = length.text;
    const sum = get('checksum');
    if (sum) e.checksum = cut(sum.value, 100);
    if (unknown.length > 0) e.unknownKeys = unknown.slice(0, 20).map((k) => cut(k, 100));
    section.externalData.push(e);
  }
}
