/**
 * The non-pickle readers in detail (formats.md §1, §4, §5, §6, §10): safetensors validation rules
 * and windowed headers, shard indexes, GGUF (v1, big-endian, arrays, limits, layout), ONNX (wire
 * walker, detection, external data, subgraph cap), Keras configs (.keras, legacy .h5, JSON), the
 * HDF5 subset (dense storage, checksums, user blocks, caps), the JSON reader, the chat-template
 * scanner and the reference-path checker. Big files are sparse: only their headers exist on disk.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MemoryByteSource } from '../../server/src/models/byte-source';
import { scanChatTemplate } from '../../server/src/models/checks/chat-template';
import { checkReferencePath } from '../../server/src/models/checks/reference-paths';
import { detectFormats, looksLikeOnnx } from '../../server/src/models/detect';
import { lookup3 } from '../../server/src/models/hdf5/lookup3';
import { inspectBytes, inspectPathSync } from '../../server/src/models/inspect';
import { JNum, JObject, JsonError, JsonReader, parseJson } from '../../server/src/models/json/json-reader';
import type { ModelReport } from '../../server/src/models/types';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'models');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type W = Record<string, any>;
async function writers(): Promise<W> {
  return ((await import(pathToFileURL(path.join(REPO_ROOT, 'scripts', 'make-model-fixtures.mjs')).href)) as { writers: W }).writers;
}

const reasons = (r: ModelReport) => r.findings.map((f) => f.detail.reason);
const u64 = (n: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/** Writes `head` to a temp file and extends it (sparse) to `size` bytes. */
function sparse(head: Buffer, size: number): { file: string; done: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modellint-formats-'));
  const file = path.join(dir, 'big.bin');
  fs.writeFileSync(file, head);
  fs.truncateSync(file, size);
  return { file, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe('JSON reader', () => {
  it('keeps duplicates, exact integers and reports bad UTF-8', () => {
    const dups: string[] = [];
    const v = parseJson('{"a": 1, "b": {"c": 2, "c": 3}, "a": 18446744073709551617}', { maxDepth: 8, onDuplicateKey: (p, k) => dups.push(`${p}:${k}`) }) as JObject;
    assert.deepEqual(dups, ['b:c', ':a']);
    assert.deepEqual(v.duplicates, ['a']);
    assert.equal((v.get('a') as JNum).bigint(), 18446744073709551617n, 'the last value wins, exactly');
    assert.equal(v.all('a').length, 2);
    assert.throws(() => parseJson(Buffer.from([0x22, 0xff, 0x22]), { maxDepth: 4 }), /UTF-8/);
    assert.throws(() => parseJson('[[[[[1]]]]]', { maxDepth: 4 }), (e: unknown) => e instanceof JsonError && e.limit);
    assert.throws(() => parseJson('{"a": 1,}', { maxDepth: 4 }), JsonError);
    assert.throws(() => parseJson('{"a": 1} x', { maxDepth: 4 }), JsonError);
    assert.throws(() => parseJson('{"a": "\u0001"}', { maxDepth: 4 }), /control character/);
    assert.throws(() => parseJson('{"a": tru}', { maxDepth: 4 }), JsonError);
  });

  it('parses the same in 7-byte windows as in one piece (strings and UTF-8 across windows)', () => {
    const text = JSON.stringify({ 'ключ': 'значение — ünïcødé 🙂'.repeat(20), n: [1, -2.5e3, 0], e: 'a\\"b\n\u00e9\ud83d\ude42' });
    const buf = Buffer.from(text);
    const src = new MemoryByteSource(buf);
    const one = new JsonReader(src, 0, buf.length, { maxDepth: 8 }).value();
    const win = new JsonReader(src, 0, buf.length, { maxDepth: 8, windowBytes: 7 }).value();
    assert.deepEqual(JSON.parse(JSON.stringify(win, (_k, x) => (x instanceof JNum ? x.text : x instanceof JObject ? Object.fromEntries(x.entries()) : x))), JSON.parse(JSON.stringify(one, (_k, x) => (x instanceof JNum ? x.text : x instanceof JObject ? Object.fromEntries(x.entries()) : x))));
    assert.equal(((one as JObject).get('ключ') as string).length, 'значение — ünïcødé 🙂'.length * 20);
  });
});

describe('reference paths', () => {
  it('judges paths lexically', () => {
    const cases: [string, string][] = [
      ['weights.bin', 'inside'], ['sub/dir/w.bin', 'inside'], ['./w.bin', 'inside'], ['a/../w.bin', 'odd'],
      ['../w.bin', 'escapes'], ['a/../../w.bin', 'escapes'], ['a\\..\\..\\w.bin', 'escapes'], ['/etc/passwd', 'escapes'], ['\\\\server\\share\\w', 'escapes'],
      ['//server/share', 'escapes'], ['C:\\Windows\\w.bin', 'escapes'], ['c:w.bin', 'escapes'], ['w.bin%00.txt', 'escapes'], ['w\u0000.bin', 'escapes'],
      ['https://evil.example/w.bin', 'escapes'], ['file:///etc/passwd', 'escapes'], ['~/.ssh/id_rsa', 'escapes'], ['', 'escapes'], ['%2e%2e/w', 'odd'],
    ];
    for (const [p, status] of cases) assert.equal(checkReferencePath(p).status, status, JSON.stringify(p));
  });
});

describe('chat template scanner', () => {
  const flagged = (t: string) => scanChatTemplate(t).map((i) => i.indicator);
  it('finds SSTI indicators in template code', () => {
    for (const t of [
      "{{ ''.__class__.__mro__[1].__subclasses__() }}",
      "{{ lipsum.__globals__['os'].popen('id').read() }}",
      '{{ cycler.__init__.__globals__.os.popen("id") }}',
      "{{ joiner }}", "{{ namespace.__init__ }}", "{{ self._TemplateReference__context }}", "{{ config.items() }}", "{{ request.application }}",
      "{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f') }}", "{{ ''|attr('__cla' ~ 'ss__') }}", "{% set x = '_' ~ '_' %}{{ ''|attr(x ~ 'class' ~ x) }}",
      "{{ ['_','_']|join }}", "{% import 'os' as os %}", "{% include '/etc/passwd' %}", "{{ x.system('id') }}", "{{ eval('1') }}", "{{ os.environ }}",
      "{%- set y = ''.__class__ -%}", '{{ "\\u005f\\u005fclass\\u005f\\u005f" }}',
    ]) assert.ok(flagged(t).length > 0, t);
  });
  it('does not flag ordinary chat templates or text outside code', () => {
    const llama3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";
    const chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
    const withNs = "{%- set ns = namespace(found=false, system='') -%}{%- for m in messages -%}{%- if m['role'] == 'system' -%}{%- set ns.system = m['content'] -%}{%- set ns.found = true -%}{%- endif -%}{%- endfor -%}{{ ns.system }}{% raw %}{{ ''.__class__ }}{% endraw %}";
    const tools = "{%- if tools %}{{- '# Tools\n' }}{%- for tool in tools %}{{- tool | tojson }}{%- endfor %}{%- endif %}{# __class__ in a comment #}Text about __globals__ outside tags.";
    for (const t of [llama3, chatml, withNs, tools]) assert.deepEqual(flagged(t), [], t.slice(0, 60));
  });
});

describe('safetensors', () => {
  it('lists every validation rule and locates tensors in the file', async () => {
    const { safetensors, SAFETENSORS_TENSORS } = await writers();
    const bytes: Buffer = safetensors(SAFETENSORS_TENSORS, { metadata: { format: 'pt' } });
    const r = inspectBytes(bytes);
    assert.equal(r.verdict, 'safe');
    assert.deepEqual(r.safetensors?.metadata, { format: 'pt' });
    assert.ok(r.safetensors!.checks.every((c) => c.ok));
    for (const c of ['header-size', 'header-bounds', 'utf8', 'json', 'no-duplicate-keys', 'offsets-contiguous', 'exact-coverage', 'dtypes', 'sizes']) {
      assert.ok(r.safetensors!.checks.some((x) => x.check === c), c);
    }
    const bias = r.tensors.find((t) => t.name === 'fc.bias')!;
    assert.deepEqual([...bytes.subarray(bias.offset!, bias.offset! + 12)], [...Buffer.from(new Float32Array([0.5, -0.5, 0.25]).buffer)]);
    assert.deepEqual(r.totals.byDtype.float32, { count: 2, parameters: 15, bytes: 60 });
    assert.deepEqual(r.totals.byDtype.float16, { count: 1, parameters: 4, bytes: 8 });
    assert.equal(r.safetensors!.dataOffset, 8 + r.safetensors!.headerLength);
  });

  it('parses a header beyond the eager limit in windows, with the same result', async () => {
    const { safetensors, SAFETENSORS_TENSORS } = await writers();
    const bytes: Buffer = safetensors(SAFETENSORS_TENSORS, { metadata: { format: 'pt', note: 'x'.repeat(5000) } });
    const a = inspectBytes(bytes);
    const b = inspectBytes(bytes, { limits: { safetensorsEagerHeaderBytes: 64 } });
    assert.deepEqual(b.tensors, a.tensors);
    assert.match(b.variant, /parsed in windows/);
    const big = inspectBytes(bytes, { limits: { safetensorsHeaderBytes: 100 } });
    assert.equal(big.verdict, 'invalid');
    assert.ok(reasons(big).includes('limit-exceeded'));
  });

  it('refuses what the reference reader refuses', async () => {
    const { safetensors, f32 } = await writers();
    const one = (h: string, data = f32([1, 2, 3, 4])) => inspectBytes(safetensors([{ name: 'w', dtype: 'F32', shape: [4], data }], { headerText: h }));
    const cases: [string, string][] = [
      ['{"w":{"dtype":"F33","shape":[4],"data_offsets":[0,16]}}', 'header-invalid'],
      ['{"w":{"dtype":"F32","shape":[5],"data_offsets":[0,16]}}', 'header-invalid'],
      ['{"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}', 'header-invalid'],
      ['{"w":{"dtype":"F32","shape":[4.5],"data_offsets":[0,16]}}', 'header-invalid'],
      ['{"w":{"dtype":"F32","shape":[4],"data_offsets":[16,0]}}', 'offsets-invalid'],
      ['{"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,16]}}', 'header-invalid'],
      ['{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"__metadata__":{"n":1}}', 'header-invalid'],
      ['{"w":{"dtype":"F32","shape":[4],"data_offsets":[9007199254740993,9007199254741009]}}', 'offsets-invalid'],
      ['{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}} {}', 'header-invalid'],
      ['{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]', 'header-invalid'],
      ['["w"]', 'not-a-model'],
    ];
    for (const [h, reason] of cases) {
      const r = one(h);
      assert.equal(r.verdict, 'invalid', `${h}: ${r.summary}`);
      assert.ok(reasons(r).includes(reason as never), `${h}: ${reasons(r).join(', ')}`);
    }
    const extra = one('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16],"x":1}}');
    assert.equal(extra.verdict, 'suspicious');
    const f4 = inspectBytes(safetensors([{ name: 'q', dtype: 'F4', shape: [3], data: Buffer.alloc(2) }]));
    assert.equal(f4.verdict, 'invalid', '3 × 4 bits is not a whole number of bytes (MisalignedSlice)');
    const empty = inspectBytes(safetensors([{ name: 'e', dtype: 'F32', shape: [0, 3], data: Buffer.alloc(0) }, { name: 's', dtype: 'I64', shape: [], data: Buffer.alloc(8) }]));
    assert.equal(empty.verdict, 'safe', 'empty tensors and scalars are allowed');
  });

  it('reads only the header of a 20 GB file', async () => {
    const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'pt' }, big: { dtype: 'BF16', shape: [10, 1024, 1024, 1024], data_offsets: [0, 20 * 1024 ** 3] } }).padEnd(200, ' '));
    const { file, done } = sparse(Buffer.concat([u64(header.length), header]), 8 + header.length + 20 * 1024 ** 3);
    try {
      const r = inspectPathSync(file);
      assert.equal(r.verdict, 'safe', r.summary);
      assert.equal(r.tensors[0].bytes, 20 * 1024 ** 3);
      assert.equal(r.totals.parameters, 10 * 1024 ** 3);
      assert.ok(r.bytesRead < 128 * 1024, `read ${r.bytesRead} bytes`);
    } finally {
      done();
    }
  });
});

describe('sharded indexes and other JSON', () => {
  it('checks shard names and caps their number', () => {
    const idx = (map: Record<string, string>) => inspectBytes(Buffer.from(JSON.stringify({ metadata: { total_size: 10 }, weight_map: map })));
    const ok = idx({ a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' });
    assert.equal(ok.verdict, 'safe');
    assert.equal(ok.shardIndex?.shards.length, 2);
    assert.equal(ok.shardIndex?.totalSize, 10);
    for (const bad of ['/abs/model.safetensors', 'https://x.example/m.safetensors', 'C:\\m.safetensors', 'sub/../../m.safetensors']) {
      assert.equal(idx({ a: bad }).verdict, 'dangerous', bad);
    }
    const many: Record<string, string> = {};
    for (let i = 0; i < 30; i++) many[`t${i}`] = `s${i}.safetensors`;
    const capped = inspectBytes(Buffer.from(JSON.stringify({ weight_map: many })), { limits: { shardCount: 10 } });
    assert.equal(capped.verdict, 'invalid');
    assert.equal(capped.shardIndex?.shardsTruncated, true);
  });

  it('walks a stand-alone Keras config, treats other JSON as data, refuses broken JSON', () => {
    const keras = inspectBytes(Buffer.from(JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'Lambda', config: { function: ['AAAA', null, null] } }] } })));
    assert.equal(keras.verdict, 'dangerous');
    assert.equal(keras.keras?.source, 'json');
    const hf = inspectBytes(Buffer.from(JSON.stringify({ model_type: 'llama', architectures: ['LlamaForCausalLM'] })));
    assert.equal(hf.format, 'json');
    assert.equal(hf.verdict, 'safe');
    assert.deepEqual(hf.metadata['json.architectures'], ['LlamaForCausalLM']);
    const broken = inspectBytes(Buffer.from('{"weight_map": {"a": '));
    assert.equal(broken.verdict, 'invalid');
    const list = inspectBytes(Buffer.from(JSON.stringify({ chat_template: [{ name: 'default', template: '{{ m }}' }, { name: 'tool_use', template: '{{ x.__class__ }}' }] })));
    assert.equal(list.verdict, 'dangerous');
    assert.equal(list.chatTemplates?.length, 2);
  });
});

describe('GGUF', () => {
  it('reports metadata, tensors, layout and chat templates', async () => {
    const { ggufModel } = await writers();
    const r = inspectBytes(ggufModel());
    assert.equal(r.verdict, 'safe');
    assert.equal(r.gguf?.version, 3);
    assert.equal(r.gguf?.alignment, 32);
    assert.equal(r.gguf?.dataOffset! % 32, 0);
    assert.equal(r.chatTemplates?.length, 1);
    assert.deepEqual(r.chatTemplates![0].indicators, []);
    const tokens = r.gguf!.kv.find((k) => k.key === 'tokenizer.ggml.tokens')!;
    assert.equal(tokens.elementType, 'STRING');
    assert.equal(tokens.length, 4);
    assert.ok(r.gguf!.checks.every((c) => c.ok), JSON.stringify(r.gguf!.checks));
    assert.equal(r.tensors[0].quantization, 'F32');
  });

  it('reads v1 (32-bit counts) and big-endian v3', async () => {
    const ascii = (s: string) => Buffer.from(s, 'latin1');
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const str1 = (s: string) => Buffer.concat([u32(s.length), ascii(s)]);
    const v1 = Buffer.concat([ascii('GGUF'), u32(1), u32(1), u32(1), str1('general.architecture'), u32(8), str1('llama'),
      str1('w'), u32(1), u32(32), u32(0), Buffer.alloc(8)]);
    const pad = Buffer.alloc((32 - (v1.length % 32)) % 32);
    const r = inspectBytes(Buffer.concat([v1, pad, Buffer.alloc(128)]));
    assert.equal(r.verdict, 'safe', r.summary);
    assert.equal(r.gguf?.version, 1);
    assert.deepEqual(r.tensors.map((t) => [t.name, t.shape, t.bytes]), [['w', [32], 128]]);
    const be = inspectPathSync(path.join(FIXTURES, 'real', 'gguf-lib-big-endian.gguf'));
    assert.equal(be.gguf?.endianness, 'big');
    assert.equal(be.metadata['llama.context_length'], 128);
  });

  it('enforces limits and layout rules', async () => {
    const { gguf, GGUF, f32 } = await writers();
    const t = (o: object) => [{ name: 'w', dims: [8], type: 0, data: f32([0, 0, 0, 0, 0, 0, 0, 0]), ...o }];
    const check = (bytes: Buffer, verdict: string, reason: string, limits = {}) => {
      const r = inspectBytes(bytes, { limits });
      assert.equal(r.verdict, verdict, `${reason}: ${r.summary}`);
      assert.ok(reasons(r).includes(reason as never), `${reason}: ${reasons(r).join(', ')}`);
    };
    check(gguf({ kv: [['general.alignment', GGUF.UINT32, 24]], tensors: t({}) }), 'invalid', 'header-invalid');
    check(gguf({ kv: [['general.alignment', GGUF.UINT64, 32]], tensors: t({}) }), 'invalid', 'header-invalid');
    check(gguf({ kv: [['a', GGUF.UINT8, 1], ['a', GGUF.UINT8, 2]], tensors: t({}) }), 'suspicious', 'duplicate-key');
    const bool2: Buffer = gguf({ kv: [['flag', GGUF.UINT8, 2]], tensors: t({}) });
    bool2[36] = GGUF.BOOL; // the value type of the first key (24-byte header + 12-byte key): a BOOL holding 2
    check(bool2, 'suspicious', 'parser-differential');
    check(gguf({ tensors: t({ type: 5 }) }), 'invalid', 'header-invalid'); // removed ggml type
    check(gguf({ tensors: t({ type: 2 }) }), 'invalid', 'header-invalid'); // 8 elements: not a multiple of Q4_0's 32
    check(gguf({ tensors: t({ dims: [8, 1, 1, 1, 1] }) }), 'invalid', 'header-invalid');
    check(gguf({ tensors: t({ dims: [8, 1, 1, 1, 1, 1, 1, 1, 1] }) }), 'invalid', 'limit-exceeded');
    check(gguf({ tensors: [...t({}), ...t({})] }), 'invalid', 'duplicate-key');
    check(gguf({ kv: [['tokenizer.ggml.tokens', GGUF.ARRAY, [GGUF.STRING, ['a', 'b', 'c']]]], tensors: t({}) }), 'invalid', 'limit-exceeded', { ggufArrayLength: 2 });
    check(gguf({ kv: [['n', GGUF.ARRAY, [GGUF.ARRAY, [[GGUF.UINT8, [1]]]]]], tensors: t({}) }), 'invalid', 'limit-exceeded', { ggufArrayNesting: 1 });
    check(gguf({ kv: [['general.name', GGUF.STRING, 'x'.repeat(100)]], tensors: t({}) }), 'invalid', 'limit-exceeded', { ggufStringBytes: 50 });
    check(gguf({ tensors: t({}), tensorCount: 1e9 }), 'invalid', 'limit-exceeded');
    // a tensor that claims more data than the file holds
    const lying = gguf({ tensors: t({ dims: [1024] }) });
    check(lying, 'invalid', 'truncated');
    // trailing data after the padded tensors
    check(Buffer.concat([gguf({ tensors: t({}) }), Buffer.alloc(64, 0x41)]), 'suspicious', 'trailing-data');
  });

  it('scans every chat template key and never renders them', async () => {
    const { gguf, GGUF } = await writers();
    const r = inspectBytes(gguf({ kv: [
      ['tokenizer.chat_template', GGUF.STRING, '{{ messages[0].content }}'],
      ['tokenizer.chat_template.tool_use', GGUF.STRING, "{{ ''.__class__.__base__ }}"],
      ['tokenizer.chat_templates', GGUF.ARRAY, [GGUF.STRING, ['tool_use']]],
    ] }));
    assert.equal(r.verdict, 'dangerous');
    assert.deepEqual(r.chatTemplates?.map((c) => [c.key, c.indicators.length > 0]), [['tokenizer.chat_template', false], ['tokenizer.chat_template.tool_use', true]]);
  });

  it('reads only the header of a 20 GB file', async () => {
    const layers = 300;
    // Q4_K (type 12) 8192 × 16384 tensors: 75.5 MB each, back to back (already multiples of 32)
    let off = 0n;
    const headerTensors = [];
    for (let i = 0; i < layers; i++) {
      headerTensors.push({ name: `blk.${i}.ffn_up.weight`, dims: [8192, 16384], offset: off });
      off += (8192n / 256n) * 144n * 16384n;
    }
    const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const kv = Buffer.concat([str('general.architecture'), u32(8), str('llama')]);
    const infos = headerTensors.map((t) => Buffer.concat([str(t.name), u32(2), u64(t.dims[0]), u64(t.dims[1]), u32(12), u64(t.offset)]));
    const meta = Buffer.concat([Buffer.from('GGUF'), u32(3), u64(layers), u64(1), kv, ...infos]);
    const dataStart = Math.ceil(meta.length / 32) * 32;
    const { file, done } = sparse(meta, dataStart + Number(off));
    try {
      const r = inspectPathSync(file);
      assert.equal(r.verdict, 'safe', r.summary);
      assert.equal(r.tensors.length, layers);
      assert.ok(r.size > 20 * 1024 ** 3);
      assert.ok(r.bytesRead < 256 * 1024, `read ${r.bytesRead}`);
    } finally {
      done();
    }
  });
});

describe('ONNX', () => {
  it('detects ONNX by structure, not by its first bytes', async () => {
    const { onnxMatMul } = await writers();
    assert.equal(looksLikeOnnx(onnxMatMul()), 'likely');
    // 20,000 random buffers starting like ONNX (0x08, small varint) are not taken for ONNX
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    let hits = 0;
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.alloc(256);
      for (let j = 0; j < b.length; j++) b[j] = rnd();
      b[0] = 0x08;
      b[1] = rnd() % 16;
      if (looksLikeOnnx(b)) hits++;
    }
    assert.ok(hits <= 2, `${hits} random buffers looked like ONNX`);
    // CoreML-like: spec version, then a description message, then field 200+
    const coreml = Buffer.from([0x08, 0x04, 0x12, 0x06, 0x0a, 0x04, 0x0a, 0x02, 0x78, 0x31, 0xc2, 0x0c, 0x00]);
    assert.equal(looksLikeOnnx(coreml), undefined);
    assert.equal(looksLikeOnnx(Buffer.from('ir_version: 8\nproducer_name: "x"\n')), 'weak');
  });

  it('reports the graph: ops, custom domains, inputs, outputs, initializers', async () => {
    const { pbInt, pbMsg, pbStr } = await writers();
    const node = (op: string, domain = '') => pbMsg(1, pbStr(1, 'x'), pbStr(2, 'y'), pbStr(4, op), ...(domain ? [pbStr(7, domain)] : []));
    const model = Buffer.concat([pbInt(1, 9), pbStr(2, 'test'), pbMsg(7, node('Relu'), node('Relu'), node('MyOp', 'com.example.custom'), pbStr(2, 'g')),
      pbMsg(8, pbStr(1, ''), pbInt(2, 18)), pbMsg(8, pbStr(1, 'com.example.custom'), pbInt(2, 1)), pbMsg(14, pbStr(1, 'author'), pbStr(2, '<b>me</b>'))]);
    const r = inspectBytes(model);
    assert.equal(r.verdict, 'safe', r.summary);
    assert.deepEqual(r.onnx?.opTypes, { Relu: 2, 'com.example.custom::MyOp': 1 });
    assert.deepEqual(r.onnx?.customDomains, ['com.example.custom']);
    assert.deepEqual(r.onnx?.metadataProps, [{ key: 'author', value: '<b>me</b>' }]);
    assert.equal(r.metadata['onnx.opset'], 18);
    const { onnxMatMul } = await writers();
    const m = inspectBytes(onnxMatMul());
    assert.deepEqual(m.onnx?.inputs, [{ name: 'x', elemType: 'float32', shape: ['N', 2] }]);
    assert.deepEqual(m.onnx?.outputs, [{ name: 'y', elemType: 'float32', shape: ['N', 3] }]);
    assert.deepEqual(m.onnx?.initializerBytes, { inline: 24, external: 0 });
  });

  it('caps subgraph nesting and validates external data entries', async () => {
    const { pbInt, pbMsg, pbStr } = await writers();
    // If nodes nested 40 deep through attribute g (AttributeProto field 6)
    let body = pbStr(2, 'leaf');
    for (let i = 0; i < 40; i++) body = pbMsg(1, pbStr(4, 'If'), pbMsg(5, pbStr(1, 'then_branch'), pbMsg(6, body)));
    const graph = pbMsg(7, body);
    const deep = inspectBytes(Buffer.concat([pbInt(1, 8), graph, pbMsg(8, pbStr(1, ''), pbInt(2, 17))]));
    assert.ok(reasons(deep).includes('limit-exceeded'), deep.summary);
    assert.equal(deep.onnx?.maxSubgraphDepth, 32);
    const ext = (entries: [string, string][]) => {
      const t = pbMsg(5, pbInt(1, 4), pbInt(2, 1), pbStr(8, 'T'), ...entries.map(([k, v]) => pbMsg(13, pbStr(1, k), pbStr(2, v))), pbInt(14, 1));
      return inspectBytes(Buffer.concat([pbInt(1, 8), pbMsg(7, t), pbMsg(8, pbStr(1, ''), pbInt(2, 17))]));
    };
    assert.equal(ext([['location', 'w.bin'], ['offset', '4096'], ['length', '16']]).verdict, 'safe');
    assert.equal(ext([['location', 'w.bin'], ['offset', '-1']]).verdict, 'invalid');
    assert.equal(ext([['offset', '0']]).verdict, 'invalid');
    for (const loc of ['\\\\host\\share\\w.bin', 'D:\\w.bin', 'w.bin%00', 'sub/../../w.bin']) assert.equal(ext([['location', loc]]).verdict, 'dangerous', loc);
    assert.equal(ext([['location', 'w.bin'], ['basepath', '/etc']]).verdict, 'dangerous', 'a basepath that escapes');
    const noLoc = Buffer.concat([pbInt(1, 8), pbMsg(7, pbMsg(5, pbInt(1, 4), pbInt(2, 1), pbStr(8, 'T'), pbInt(14, 1))), pbMsg(8, pbStr(1, ''), pbInt(2, 17))]);
    assert.equal(inspectBytes(noLoc).verdict, 'invalid', 'EXTERNAL without entries');
  });

  it('skips raw_data without reading it', async () => {
    const { pbInt, pbMsg, pbStr } = await writers();
    const raw = Buffer.alloc(32 * 1024 * 1024);
    const t = pbMsg(5, pbInt(1, 8 * 1024 * 1024), pbInt(2, 1), pbStr(8, 'big'), pbMsg(9, raw));
    const model = Buffer.concat([pbInt(1, 8), pbMsg(7, t, pbStr(2, 'g')), pbMsg(8, pbStr(1, ''), pbInt(2, 17))]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modellint-onnx-'));
    try {
      const file = path.join(dir, 'big.onnx');
      fs.writeFileSync(file, model);
      const r = inspectPathSync(file);
      assert.equal(r.verdict, 'safe', r.summary);
      assert.equal(r.tensors[0].bytes, raw.length);
      assert.ok(r.bytesRead < 256 * 1024, `read ${r.bytesRead} of ${r.size}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Keras', () => {
  it('flags every escape hatch of the config tree', async () => {
    const { kerasArchive, kerasSequential, kerasLayer } = await writers();
    const run = (layers: object[]) => inspectBytes(kerasArchive(kerasSequential(layers)));
    const cases: [object, string][] = [
      [kerasLayer('TFSMLayer', { name: 't', filepath: '/srv/models/other' }), 'keras-unsafe-layer'],
      [kerasLayer('TFOpLambda', { name: 't', function: 'math.add' }), 'keras-unsafe-layer'],
      [kerasLayer('Dense', { name: 'd', units: 1, note: 'enable_unsafe_deserialization' }), 'keras-unsafe-string'],
      [kerasLayer('Dense', { name: 'd', units: 1, safe_mode: false }), 'keras-unsafe-string'],
      [kerasLayer('Bidirectional', { name: 'b', layer: kerasLayer('Lambda', { name: 'inner', function: { module: 'keras.utils', class_name: 'function', config: 'get_file' }, arguments: { origin: 'https://x' } }) }), 'keras-lambda'],
      [kerasLayer('Dense', { name: 'd', units: 1, activation: { module: 'keras.utils', class_name: 'function', config: 'get_file' } }), 'keras-function-reference'],
      [kerasLayer('MyLayer', { name: 'm' }, 'my_package.layers'), 'keras-unsafe-module'],
    ];
    for (const [layer, reason] of cases) {
      const r = run([layer]);
      assert.equal(r.verdict, 'dangerous', `${reason}: ${r.summary}`);
      assert.ok(reasons(r).includes(reason as never), `${reason}: ${reasons(r).join(', ')}`);
    }
    const tfsm = run([cases[0][0]]);
    assert.ok(tfsm.references?.some((x) => x.kind === 'keras-tfsm-layer' && x.status === 'escapes'));
    const vocab = run([kerasLayer('StringLookup', { name: 's', vocabulary: 'vocab.txt' })]);
    assert.equal(vocab.verdict, 'suspicious');
    assert.ok(vocab.references?.some((x) => x.kind === 'keras-file-path'));
    const ok = run([kerasLayer('Dense', { name: 'd2', units: 1, activation: { module: 'keras.activations', class_name: 'function', config: 'relu' } })]);
    assert.equal(ok.verdict, 'safe', ok.summary);
    assert.deepEqual(ok.keras?.layers.map((l) => l.className), ['Sequential', 'InputLayer', 'Dense', 'Dense']);
    assert.equal(ok.keras?.weightsFile, 'model.weights.h5');
  });

  it('caps the depth of the config walk', async () => {
    const { kerasArchive } = await writers();
    let cfg: object = { class_name: 'Dense', config: { units: 1 } };
    for (let i = 0; i < 300; i++) cfg = { class_name: 'Wrapper', config: { layer: cfg } };
    const r = inspectBytes(kerasArchive(cfg));
    assert.equal(r.complete, false);
    assert.ok(reasons(r).includes('limit-exceeded'));
  });
});

describe('HDF5', () => {
  it('reads dense attributes, huge heap objects and dense links written by h5py', () => {
    const r = inspectPathSync(path.join(FIXTURES, 'real', 'h5py-latest-dense-attributes.h5'));
    assert.equal(r.hdf5?.superblockVersion, 3);
    assert.equal(r.hdf5?.rootAttributes.length, 12);
    const mc = r.hdf5!.rootAttributes.find((a) => a.name === 'model_config')!;
    assert.equal(mc.dtype, 'vlen string');
    assert.equal(r.tensors.length, 20);
    assert.ok(r.hdf5!.checks.every((c) => c.ok), JSON.stringify(r.hdf5!.checks));
  });

  it('reports a checksum mismatch, a truncated file and a polyglot user block', async () => {
    const { osSystemP2 } = await writers();
    const good = fs.readFileSync(path.join(FIXTURES, 'real', 'h5py-virtual-dataset.h5'));
    const bad = Buffer.from(good);
    bad[12] ^= 0xff; // inside the v3 superblock's base address → checksum mismatch (and a broken base)
    const r = inspectBytes(bad);
    assert.ok(r.findings.some((f) => f.detail.reason === 'checksum-mismatch'), reasons(r).join(', '));
    const cut = inspectBytes(fs.readFileSync(path.join(FIXTURES, 'benign-keras-legacy.h5')).subarray(0, 3000));
    assert.equal(cut.verdict, 'invalid');
    const ub = fs.readFileSync(path.join(FIXTURES, 'real', 'h5py-userblock.h5'));
    const pickle = osSystemP2();
    const poly = Buffer.from(ub);
    pickle.copy(poly, 0);
    const p = inspectBytes(poly);
    assert.equal(p.verdict, 'dangerous', p.summary);
    assert.ok(reasons(p).includes('polyglot'));
    assert.ok(reasons(p).includes('deny-listed-global'));
    assert.deepEqual(p.tensors.map((t) => t.name), ['x'], 'the HDF5 part was examined too');
  });

  it('caps the number of objects walked', () => {
    const r = inspectBytes(fs.readFileSync(path.join(FIXTURES, 'real', 'h5py-big-group.h5')), { limits: { hdf5Objects: 5 } });
    assert.equal(r.complete, false);
    assert.ok(reasons(r).includes('limit-exceeded'));
  });

  it('computes HDF5 lookup3 checksums', () => {
    assert.equal(lookup3(Buffer.alloc(0)), 0xdeadbeef);
    assert.equal(lookup3(Buffer.from('Four score and seven years ago')), 0x17770551);
  });
});

describe('formats inside archives', () => {
  it('examines GGUF, ONNX, HDF5 and JSON members by content', async () => {
    const { zip, ggufModel, SSTI_CHAT_TEMPLATE, onnxMatMul, hdf5 } = await writers();
    const r = inspectBytes(zip([
      { name: 'readme.txt', data: Buffer.from('hello') },
      { name: 'model/weights.bin', data: ggufModel(SSTI_CHAT_TEMPLATE) },
      { name: 'model/graph.dat', data: onnxMatMul({ external: [['location', '../../secret']] }), method: 8 },
      { name: 'model/w.h5', data: hdf5({ links: [['x', '/etc/x.h5', '/x']] }) },
      { name: 'tokenizer_config.json', data: Buffer.from(JSON.stringify({ chat_template: '{{ self.__init__ }}' })) },
    ]));
    assert.equal(r.format, 'zip');
    assert.equal(r.verdict, 'dangerous');
    const got = new Set(r.findings.map((f) => `${f.detail.entry?.split(' > ')[0]}:${f.detail.reason}`));
    for (const want of ['model/weights.bin:template-injection', 'model/graph.dat:path-traversal', 'model/w.h5:path-traversal', 'tokenizer_config.json:template-injection']) assert.ok(got.has(want), `${want} in ${[...got].join(', ')}`);
    assert.ok(r.tensors.some((t) => t.name === 'token_embd.weight'), 'member tensors are listed');
  });
});

describe('detection of the new formats', () => {
  it('finds them by content', async () => {
    const { safetensors, SAFETENSORS_TENSORS, ggufModel, onnxMatMul, kerasLegacyH5, LEGACY_DENSE } = await writers();
    const kinds = (b: Buffer) => detectFormats(new MemoryByteSource(b)).map((c) => c.kind);
    assert.deepEqual(kinds(safetensors(SAFETENSORS_TENSORS)), ['safetensors']);
    assert.deepEqual(kinds(ggufModel()), ['gguf']);
    assert.deepEqual(kinds(onnxMatMul()), ['onnx']);
    assert.deepEqual(kinds(kerasLegacyH5([LEGACY_DENSE])), ['hdf5']);
    assert.deepEqual(kinds(Buffer.concat([u64(1 << 30), Buffer.from('{"a":')])), ['safetensors'], 'a lying header length is still safetensors');
  });
});
