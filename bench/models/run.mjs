// Model-preview benchmark (architecture.md §13 "Model preview"): a 20 GB safetensors or GGUF file
// reports in < 100 ms reading < 2 MB; a torch zip reads only its central directory and data.pkl.
//
//   npx tsc -b && node bench/models/run.mjs [--runs N] [--keep]
//
// The big files are SPARSE (a real header, then ftruncate to the full size: no disk is used) and
// live in bench/.work/models/; they are removed at the end unless --keep. Each file is inspected
// --runs times (default 9) through inspectFile (the warm worker the editor and CLI reuse) and
// through inspectPathSync (the same work on the calling thread); the medians are compared with the
// budgets. The first inspection of each file on a fresh worker is reported too ("cold"). Results also go to bench/.work/models-results.json.
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORK = join(ROOT, 'bench', '.work', 'models');
const INSPECT = join(ROOT, 'out', 'server', 'src', 'models', 'inspect.js');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) > 0 && args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 9;
const KEEP = args.includes('--keep');

if (!existsSync(INSPECT)) {
  console.error(`missing ${INSPECT}: run \`npx tsc -b\` first`);
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { inspectFile, inspectPathSync, stopInspectWorkers } = require(INSPECT);
const { writers } = await import(pathToFileURL(join(ROOT, 'scripts', 'make-model-fixtures.mjs')).href);

const GB = 1024 ** 3;
const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };

/** A file whose `parts` ([position, bytes]) are written and whose size is `size` (the rest are holes). */
function sparseFile(path, parts, size) {
  const fd = openSync(path, 'w');
  try {
    for (const [pos, buf] of parts) writeSync(fd, buf, 0, buf.length, pos);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
  const st = statSync(path);
  return { size: st.size, allocated: (st.blocks ?? 0) * 512 };
}

/** Llama-style layer shapes: (name, rows, cols) per layer for a 5120-wide model. */
function llamaShapes(layers, width = 5120, ffn = 13824, vocab = 32000) {
  const out = [['model.embed_tokens.weight', vocab, width], ['lm_head.weight', vocab, width], ['model.norm.weight', width]];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    out.push([`${p}.self_attn.q_proj.weight`, width, width], [`${p}.self_attn.k_proj.weight`, width, width], [`${p}.self_attn.v_proj.weight`, width, width], [`${p}.self_attn.o_proj.weight`, width, width]);
    out.push([`${p}.mlp.gate_proj.weight`, ffn, width], [`${p}.mlp.up_proj.weight`, ffn, width], [`${p}.mlp.down_proj.weight`, width, ffn]);
    out.push([`${p}.input_layernorm.weight`, width], [`${p}.post_attention_layernorm.weight`, width]);
  }
  return out;
}

/** ~21 GB of BF16 tensors (32 layers), header as the Rust writer lays it out (sorted by name, padded to 8). */
function makeSafetensors(path) {
  const shapes = llamaShapes(32).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const header = { __metadata__: { format: 'pt' } };
  let off = 0;
  for (const [name, ...dims] of shapes) {
    const bytes = dims.reduce((a, b) => a * b, 1) * 2;
    header[name] = { dtype: 'BF16', shape: dims, data_offsets: [off, off + bytes] };
    off += bytes;
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const h = Buffer.from(text);
  const head = Buffer.concat([u64(h.length), h]);
  return { ...sparseFile(path, [[0, head]], head.length + off), header: head.length, tensors: shapes.length };
}

/** A GGUF v3 header like a llama.cpp f16 conversion: full llama metadata, a `vocab`-token vocabulary, then sparse data. */
function makeGguf(path, vocab = 32000, merges = 0) {
  const { GGUF } = writers;
  const str = (s) => { const b = Buffer.from(s); return Buffer.concat([u64(b.length), b]); };
  const kv = [];
  const add = (k, t, v) => kv.push([k, t, v]);
  add('general.architecture', GGUF.STRING, 'llama');
  add('general.name', GGUF.STRING, 'bench-13b');
  add('general.file_type', GGUF.UINT32, 1);
  add('general.quantization_version', GGUF.UINT32, 2);
  add('llama.context_length', GGUF.UINT32, 4096);
  add('llama.embedding_length', GGUF.UINT32, 5120);
  add('llama.block_count', GGUF.UINT32, 32);
  add('llama.feed_forward_length', GGUF.UINT32, 13824);
  add('llama.attention.head_count', GGUF.UINT32, 40);
  add('llama.attention.head_count_kv', GGUF.UINT32, 40);
  add('llama.rope.dimension_count', GGUF.UINT32, 128);
  add('tokenizer.ggml.model', GGUF.STRING, merges > 0 ? 'gpt2' : 'llama');
  const tokens = [];
  for (let i = 0; i < vocab; i++) tokens.push(i < 3 ? ['<unk>', '<s>', '</s>'][i] : `▁tok${i.toString(36)}`);
  add('tokenizer.ggml.tokens', GGUF.ARRAY, [GGUF.STRING, tokens]);
  add('tokenizer.ggml.scores', GGUF.ARRAY, [GGUF.FLOAT32, tokens.map((_, i) => -i)]);
  add('tokenizer.ggml.token_type', GGUF.ARRAY, [GGUF.INT32, tokens.map((_, i) => (i < 3 ? 3 : 1))]);
  if (merges > 0) {
    const m = [];
    for (let i = 0; i < merges; i++) m.push(`Ġt${(i % 977).toString(36)} ok${i.toString(36)}`);
    add('tokenizer.ggml.merges', GGUF.ARRAY, [GGUF.STRING, m]);
  }
  add('tokenizer.ggml.bos_token_id', GGUF.UINT32, 1);
  add('tokenizer.ggml.eos_token_id', GGUF.UINT32, 2);
  add('tokenizer.chat_template', GGUF.STRING, writers.BENIGN_CHAT_TEMPLATE);
  const kvBuf = Buffer.concat(kv.map(([k, t, v]) => {
    const val = t === GGUF.ARRAY
      ? Buffer.concat([u32(v[0]), u64(v[1].length), ...v[1].map((x) => (v[0] === GGUF.STRING ? str(x) : v[0] === GGUF.FLOAT32 ? (() => { const b = Buffer.alloc(4); b.writeFloatLE(x); return b; })() : (() => { const b = Buffer.alloc(4); b.writeInt32LE(x); return b; })()))])
      : t === GGUF.STRING ? str(v) : u32(v);
    return Buffer.concat([str(k), u32(t), val]);
  }));
  const names = { 'model.embed_tokens.weight': 'token_embd.weight', 'lm_head.weight': 'output.weight', 'model.norm.weight': 'output_norm.weight' };
  const ggufName = (n) => names[n] ?? n.replace('model.layers.', 'blk.').replace('self_attn.q_proj', 'attn_q').replace('self_attn.k_proj', 'attn_k').replace('self_attn.v_proj', 'attn_v')
    .replace('self_attn.o_proj', 'attn_output').replace('mlp.gate_proj', 'ffn_gate').replace('mlp.up_proj', 'ffn_up').replace('mlp.down_proj', 'ffn_down')
    .replace('input_layernorm', 'attn_norm').replace('post_attention_layernorm', 'ffn_norm');
  let off = 0;
  const infos = [];
  const shapes = llamaShapes(32, 5120, 13824, vocab);
  for (const [name, ...dims] of shapes) {
    const ne = [...dims].reverse(); // ggml order: ne0 is the row length
    const type = ne.length === 1 ? 0 : 1; // norms F32, matrices F16
    const bytes = ne.reduce((a, b) => a * b, 1) * (type === 0 ? 4 : 2);
    infos.push(Buffer.concat([str(ggufName(name)), u32(ne.length), ...ne.map((d) => u64(d)), u32(type), u64(off)]));
    off += Math.ceil(bytes / 32) * 32;
  }
  const meta = Buffer.concat([Buffer.from('GGUF'), u32(3), u64(infos.length), u64(kv.length), kvBuf, ...infos]);
  const dataStart = Math.ceil(meta.length / 32) * 32;
  return { ...sparseFile(path, [[0, meta]], dataStart + off), header: meta.length, tensors: infos.length };
}

/**
 * A torch.save zip of `count` float32 storages of 1 GiB each (ZIP64: offsets beyond 4 GiB), laid out
 * like torch's writer: data.pkl first, 64-byte aligned storages ("FB" padding), version records,
 * central directory at the end. The storages are holes.
 */
function makeTorchZip(path, count = 8) {
  const numel = GB / 4;
  const side = 16384;
  const tensors = [];
  for (let i = 0; i < count; i++) tensors.push({ name: `layers.${i}.weight`, storage: 'FloatStorage', numel, shape: [side, side], stride: [side, 1], data: Buffer.alloc(0) });
  const dataPkl = writers.torchDataPkl(tensors);
  const entries = [
    { name: 'archive/data.pkl', data: dataPkl, size: dataPkl.length },
    { name: 'archive/byteorder', data: Buffer.from('little'), size: 6 },
    ...tensors.map((_, i) => ({ name: `archive/data/${i}`, size: numel * 4 })),
    { name: 'archive/version', data: Buffer.from('3\n'), size: 2 },
    { name: 'archive/.data/serialization_id', data: Buffer.from('0123456789012345678901234567890123456789'), size: 40 },
  ];
  const parts = [];
  const central = [];
  let pos = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const base = pos + 30 + name.length + 4;
    const pad = (64 - (base % 64)) % 64;
    const extra = Buffer.concat([u16(0x4246), u16(pad), Buffer.alloc(pad, 0x5a)]);
    const crc = e.data ? writers.crc32(e.data) : 0; // storages are never read, their CRC never checked
    parts.push([pos, Buffer.concat([u32(0x04034b50), u16(45), u16(0), u16(0), u16(0), u16(0x21), u32(crc), u32(e.size), u32(e.size), u16(name.length), u16(extra.length), name, extra])]);
    const headerAt = pos;
    pos += 30 + name.length + extra.length;
    if (e.data) parts.push([pos, e.data]);
    pos += e.size;
    const z64 = headerAt >= 0xffffffff;
    const zextra = z64 ? Buffer.concat([u16(0x0001), u16(8), u64(headerAt)]) : Buffer.alloc(0);
    central.push(Buffer.concat([u32(0x02014b50), u16(45), u16(45), u16(0), u16(0), u16(0), u16(0x21), u32(crc), u32(e.size), u32(e.size),
      u16(name.length), u16(zextra.length), u16(0), u16(0), u16(0), u32(0), u32(z64 ? 0xffffffff : headerAt), name, zextra]));
  }
  const cd = Buffer.concat(central);
  const cdAt = pos;
  const eocd64At = cdAt + cd.length;
  const tail = Buffer.concat([
    cd,
    u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(entries.length), u64(entries.length), u64(cd.length), u64(cdAt),
    u32(0x07064b50), u32(0), u64(eocd64At), u32(1),
    u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(0),
  ]);
  parts.push([cdAt, tail]);
  return { ...sparseFile(path, parts, cdAt + tail.length), dataPkl: dataPkl.length, centralDirectory: cd.length, tensors: count };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmtBytes = (n) => (n >= GB ? `${(n / GB).toFixed(2)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

async function measure(label, file) {
  const worker = [];
  const thread = [];
  let report;
  // cold: a fresh worker (what the very first file of a session pays unless prewarmInspectWorker ran)
  await stopInspectWorkers();
  const c0 = performance.now();
  await inspectFile(file);
  const coldMs = performance.now() - c0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    report = await inspectFile(file);
    worker.push(performance.now() - t0);
    const t1 = performance.now();
    const r2 = inspectPathSync(file);
    thread.push(performance.now() - t1);
    if (r2.bytesRead !== report.bytesRead) console.warn(`  ${label}: bytes read differ between worker (${report.bytesRead}) and thread (${r2.bytesRead})`);
  }
  return { label, file, coldMs, size: report.size, format: report.format, variant: report.variant, verdict: report.verdict, tensors: report.tensors.length, parameters: report.totals.parameters, bytesRead: report.bytesRead, workerMs: median(worker), workerMinMs: Math.min(...worker), threadMs: median(thread), inspectorMs: report.durationMs, findings: report.findings.map((f) => f.message) };
}

mkdirSync(WORK, { recursive: true });
const files = {
  safetensors: join(WORK, 'llama-20gb.safetensors'),
  gguf: join(WORK, 'llama-20gb-f16.gguf'),
  ggufBigVocab: join(WORK, 'llama-20gb-128k-vocab.gguf'),
  torch: join(WORK, 'torch-8gb.pt'),
};
const results = { date: new Date().toISOString(), node: process.version, runs: RUNS, loadavg: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)), files: {}, budgets: [] };
try {
  console.log(`model preview benchmark: ${RUNS} runs per file, medians (worker = inspectFile on the warm worker; thread = inspectPathSync; cold = first call on a fresh worker)`);
  const made = {
    safetensors: makeSafetensors(files.safetensors),
    gguf: makeGguf(files.gguf),
    ggufBigVocab: makeGguf(files.ggufBigVocab, 128256, 280147),
    torch: makeTorchZip(files.torch),
  };
  for (const [k, m] of Object.entries(made)) console.log(`  built ${k}: ${fmtBytes(m.size)} apparent, ${fmtBytes(m.allocated)} on disk, header/metadata ${fmtBytes(m.header ?? m.dataPkl + m.centralDirectory)}, ${m.tensors} tensors`);
  for (const [k, file] of Object.entries(files)) {
    const r = await measure(k, file);
    results.files[k] = { ...r, built: made[k] };
    console.log(`  ${k.padEnd(13)} ${r.format.padEnd(12)} ${fmtBytes(r.size).padStart(10)}  worker ${r.workerMs.toFixed(1)} ms (min ${r.workerMinMs.toFixed(1)}, cold ${r.coldMs.toFixed(0)})  thread ${r.threadMs.toFixed(1)} ms  read ${fmtBytes(r.bytesRead)}  ${r.verdict}, ${r.tensors} tensors, ${(r.parameters / 1e9).toFixed(2)} B params`);
    if (r.findings.length) console.log(`    findings: ${r.findings.join(' | ').slice(0, 300)}`);
  }
  const budget = (name, ok, detail) => {
    results.budgets.push({ name, ok, detail });
    console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
  };
  console.log('budgets (architecture.md §13):');
  for (const k of ['safetensors', 'gguf']) {
    const r = results.files[k];
    budget(`20 GB ${k} reported in < 100 ms`, r.workerMs < 100, `warm worker median ${r.workerMs.toFixed(1)} ms, on the calling thread ${r.threadMs.toFixed(1)} ms (a fresh worker's first call: ${r.coldMs.toFixed(0)} ms)`);
    budget(`20 GB ${k} reads < 2 MB`, r.bytesRead < 2 * 1024 ** 2, `${fmtBytes(r.bytesRead)} of ${fmtBytes(r.size)} (${((r.bytesRead / r.size) * 100).toExponential(2)} %)`);
  }
  const t = results.files.torch;
  const expected = made.torch.dataPkl + made.torch.centralDirectory;
  budget('torch zip reads only the central directory and data.pkl', t.bytesRead < expected + 256 * 1024, `${fmtBytes(t.bytesRead)} read of ${fmtBytes(t.size)}; data.pkl ${fmtBytes(made.torch.dataPkl)} + central directory ${fmtBytes(made.torch.centralDirectory)} = ${fmtBytes(expected)} (the rest: the EOCD search window, local headers, version records)`);
  const big = results.files.ggufBigVocab;
  console.log(`  info  GGUF with a 128k vocabulary and 280k merges (Llama-3-like): ${fmtBytes(big.bytesRead)} read, ${big.workerMs.toFixed(1)} ms — GGUF has no offsets, so string arrays are walked through (numeric arrays are skipped)`);
  writeFileSync(join(ROOT, 'bench', '.work', 'models-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (results.budgets.some((b) => !b.ok)) process.exitCode = 1;
} finally {
  await stopInspectWorkers();
  if (!KEEP) for (const f of Object.values(files)) rmSync(f, { force: true });
}
