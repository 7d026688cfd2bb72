/**
 * JSON files found by content (formats.md §1 sharded index, §5 chat templates, §6 Keras configs):
 *
 * - a sharded-checkpoint index (`model.safetensors.index.json`, `pytorch_model.bin.index.json`):
 *   `weight_map` tensor → shard file; shard names are references to other files, validated
 *   lexically (`..`, absolute, `://`… → `model-file-external-data-traversal`), never opened; at
 *   most 10,000 distinct shards (@huggingface/hub's cap);
 * - a tokenizer config with `chat_template` (a string, or a list of {name, template}): scanned for
 *   template-injection indicators;
 * - a Keras model config (`{"class_name", "config"}`, e.g. from `model.to_json()`): walked;
 * - any other JSON: data (nothing in it runs when it is parsed as JSON).
 *
 * Parsed by the strict JSON reader (duplicate keys reported), at most `jsonFileBytes` (64 MiB).
 */
import type { ByteSource } from '../byte-source';
import type { InspectContext } from '../inspect-context';
import { JNum, JObject, JsonError, JsonReader, toJsonValue, type JNode } from '../json/json-reader';
import type { FormatCandidate, JsonValue, ShardIndexSection } from '../types';
import { walkKerasConfig } from './keras-config';
import { reportChatTemplate, reportReference } from './shared';

export function readJsonFile(ctx: InspectContext, source: ByteSource, _candidate: FormatCandidate): void {
  const report = ctx.report;
  const cap = ctx.limits.jsonFileBytes;
  if (source.size > cap) {
    ctx.setFormat('json', `JSON document (${source.size.toLocaleString('en-US')} bytes, not parsed)`);
    report.malformed('suspicious', `JSON document of ${source.size.toLocaleString('en-US')} bytes exceeds the ${cap.toLocaleString('en-US')}-byte parsing cap; it was not examined`, { reason: 'limit-exceeded', entry: ctx.entry }, 'warning');
    report.incomplete('a JSON document above the parsing cap');
    return;
  }
  const duplicates: { path: string; key: string; offset: number }[] = [];
  let root: JNode;
  try {
    const r = new JsonReader(source, 0, source.size, {
      maxDepth: ctx.limits.jsonDepth,
      onDuplicateKey: (path, key, offset) => {
        if (duplicates.length < 100) duplicates.push({ path, key, offset });
      },
    });
    // a UTF-8 byte order mark is tolerated by Python's json (utf-8-sig) and by JSON.parse after decoding
    if (source.read(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) r.pos = 3;
    root = r.value();
    r.skipWs();
    if (!r.atEnd()) throw new JsonError(`unexpected content after the JSON value at offset ${r.pos}`, r.pos);
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    ctx.setFormat('json', 'invalid JSON');
    if (e.limit) report.malformed('invalid', `The JSON document exceeds the scanner's limits (${e.message}); it was not examined further`, { reason: 'limit-exceeded', offset: e.offset, entry: ctx.entry });
    else report.malformed('invalid', `The file starts like JSON but is not valid JSON: ${e.message}`, { reason: e.truncated ? 'truncated' : 'parse-error', offset: e.offset, entry: ctx.entry });
    return;
  }
  for (const d of duplicates.slice(0, 20)) {
    report.malformed('suspicious', `Key ${JSON.stringify(d.key)} appears more than once${d.path ? ` in ${JSON.stringify(d.path)}` : ''}: JSON readers disagree on which value wins (parser differential)`, { reason: 'duplicate-key', offset: d.offset, entry: ctx.entry }, 'error');
  }
  if (root instanceof JObject && root.get('weight_map') instanceof JObject) {
    readShardIndex(ctx, root);
    return;
  }
  if (root instanceof JObject && root.has('chat_template')) {
    readTokenizerConfig(ctx, root);
    return;
  }
  if (root instanceof JObject && typeof root.get('class_name') === 'string' && root.get('config') instanceof JObject) {
    ctx.setFormat('json', `Keras model config (JSON), ${root.get('class_name') as string}`);
    const walk = walkKerasConfig(ctx, root, 'json', 'Keras config');
    if (ctx.isTop) {
      report.keras = walk.section;
      const v = root.get('keras_version');
      if (typeof v === 'string') walk.section.kerasVersion = v;
    }
    return;
  }
  ctx.setFormat('json', `JSON ${Array.isArray(root) ? 'array' : root instanceof JObject ? 'object' : 'value'} (data, not a model)`);
  if (ctx.isTop && root instanceof JObject) {
    for (const k of ['model_type', 'architectures', 'torch_dtype', 'transformers_version', 'auto_map']) {
      const v = root.get(k);
      if (v !== undefined) report.meta(`json.${k}`, toJsonValue(v, 50, 200));
    }
    if (root.has('auto_map')) report.note('This config has an `auto_map`: transformers loads it only with trust_remote_code=True, which runs Python code from the repository.');
  }
}

function readShardIndex(ctx: InspectContext, root: JObject): void {
  const report = ctx.report;
  const map = root.get('weight_map') as JObject;
  const shards = new Map<string, number>();
  let bad = 0;
  for (const [tensor, v] of map.entries()) {
    if (typeof v !== 'string') {
      if (bad++ < 5) report.malformed('invalid', `weight_map entry ${JSON.stringify(tensor.slice(0, 200))} is not a file name string`, { reason: 'header-invalid', entry: ctx.entry });
      continue;
    }
    shards.set(v, (shards.get(v) ?? 0) + 1);
  }
  const names = [...shards.keys()];
  const kind = names.length > 0 && names.every((n) => /\.bin$/.test(n)) ? 'pytorch_model.bin' : names.every((n) => /\.safetensors$/.test(n)) ? 'safetensors' : 'mixed';
  ctx.setFormat('safetensors-index', `sharded checkpoint index (${kind} shards): ${map.size} tensors in ${shards.size} shard${shards.size === 1 ? '' : 's'}`);
  const section: ShardIndexSection = { tensorCount: map.size, shards: [] };
  const md = root.get('metadata');
  if (md instanceof JObject) {
    section.metadata = toJsonValue(md, 200, 2000) as Record<string, JsonValue>;
    const total = md.get('total_size');
    if (total instanceof JNum && Number.isFinite(total.value)) section.totalSize = total.value;
  }
  const cap = ctx.limits.shardCount;
  if (shards.size > cap) {
    report.malformed('invalid', `The index names ${shards.size.toLocaleString('en-US')} shard files, more than the ${cap.toLocaleString('en-US')} readers accept (@huggingface/hub MAX_SHARD_COUNT); only the first ${cap} were checked`, { reason: 'limit-exceeded', entry: ctx.entry });
  }
  let i = 0;
  for (const [name, count] of shards) {
    if (i++ >= cap) {
      section.shardsTruncated = true;
      break;
    }
    const status = reportReference(ctx, 'safetensors-shard', `weight_map (${count} tensor${count === 1 ? '' : 's'})`, name, { where: `${count} tensor${count === 1 ? '' : 's'} in weight_map` });
    section.shards.push({ name: name.length > 1024 ? `${name.slice(0, 1024)}…` : name, tensors: count, status });
  }
  report.note('Shard files named in the index were not opened; inspect each shard file on its own.');
  if (ctx.isTop) {
    report.shardIndex = section;
    report.meta('index.tensors', map.size);
    report.meta('index.shards', shards.size);
    if (section.totalSize !== undefined) report.meta('index.total_size', section.totalSize);
  }
}

function readTokenizerConfig(ctx: InspectContext, root: JObject): void {
  const t = root.get('chat_template');
  const templates: [string, string][] = [];
  if (typeof t === 'string') templates.push(['chat_template', t]);
  else if (Array.isArray(t)) {
    t.forEach((x, i) => {
      if (x instanceof JObject) {
        const name = x.get('name');
        const tpl = x.get('template');
        if (typeof tpl === 'string') templates.push([`chat_template[${typeof name === 'string' ? JSON.stringify(name) : i}]`, tpl]);
      }
    });
  }
  ctx.setFormat('tokenizer-config', `tokenizer config with ${templates.length} chat template${templates.length === 1 ? '' : 's'}`);
  for (const [key, tpl] of templates) reportChatTemplate(ctx, key, tpl);
  if (ctx.isTop) {
    for (const k of ['tokenizer_class', 'model_max_length', 'bos_token', 'eos_token']) {
      const v = root.get(k);
      if (v !== undefined) ctx.report.meta(`tokenizer.${k}`, toJsonValue(v, 20, 200));
    }
  }
}
