/**
 * The model-file report (architecture.md §9, §11 `modellint inspect`): what the scanner found in
 * one file. Pure data, JSON-serializable end to end (no Map, Set, BigInt, Buffer, undefined in
 * arrays, functions or cycles), so it crosses the worker boundary, is printed by
 * `modellint inspect --format json`, and is rendered by the preview panel as-is.
 *
 * Every string in a report that comes from the file (names, metadata values, global names,
 * member names, HTML titles…) is hostile: consumers must escape it (formats.md §0 rule 5).
 *
 * Every reader fills the same shape: `format`/`variant`, `metadata`, `tensors`, `findings`, plus
 * its own optional section (`pickle`, `zip`, `numpy`, `safetensors`, `shardIndex`, `gguf`, `onnx`,
 * `keras`, `hdf5`) and `references` to other files.
 */
import type { Severity } from '../engine/types';

/** Bumped when a field changes meaning or is removed (adding optional fields does not bump it). */
export const MODEL_REPORT_SCHEMA_VERSION = 1;

/** What the file is, decided by content (never by extension). */
export type ModelFormat =
  | 'pytorch-zip' // torch.save since 1.6: zip with <root>/data.pkl + data/<key> storages
  | 'pytorch-legacy' // torch.save(_use_new_zipfile_serialization=False): 5 stacked pickles + raw storages
  | 'pytorch-legacy-tar' // torch ≤ 0.1.10 tar (detected only)
  | 'torchscript' // torch.jit.save zip: code/ + constants.pkl (+ data.pkl)
  | 'pickle' // a plain Python pickle (one or more streams)
  | 'joblib' // a pickle with joblib NumpyArrayWrapper records and inline array bytes (maybe zlib/gzip-compressed)
  | 'numpy-npy'
  | 'numpy-npz'
  | 'zip' // a zip that is none of the above; members examined by content
  | 'compressed' // bz2/xz/lzma/lz4/zstd/legacy-joblib data that is not decompressed
  | 'safetensors'
  | 'safetensors-index'
  | 'gguf'
  | 'ggml-legacy'
  | 'onnx'
  | 'keras' // Keras v3 .keras zip
  | 'keras-h5' // legacy Keras HDF5
  | 'hdf5'
  | 'tokenizer-config' // tokenizer_config.json (chat_template checked)
  | 'json' // another JSON document (a Keras model config is walked; other JSON is data)
  | 'tar'
  | 'git-lfs-pointer'
  | 'html'
  | 'empty'
  | 'all-zero'
  | 'unknown';

/**
 * The file's overall verdict, the maximum over its findings in the order
 * safe < suspicious < invalid < dangerous:
 * - `safe`: everything that could carry code was examined and is within the allowlists;
 * - `suspicious`: non-allowlisted but not known-dangerous content, container anomalies, or parts
 *   that could not be examined (`complete: false`);
 * - `invalid`: truncated, beyond limits, not a model (LFS pointer, HTML page, empty), unparseable;
 *   a parse error is never "clean";
 * - `dangerous`: known-dangerous imports or calls, unresolvable import targets, EXT/INST opcodes,
 *   frame violations, scanner deactivation.
 */
export type Verdict = 'safe' | 'suspicious' | 'invalid' | 'dangerous';

export const VERDICT_ORDER: readonly Verdict[] = ['safe', 'suspicious', 'invalid', 'dangerous'];

/** The `model-file-*` product ids (rules.md "Model files", Part C7). */
export type ModelRuleId =
  | 'model-file-unsafe-pickle'
  | 'model-file-suspicious-pickle'
  | 'model-file-malformed'
  | 'model-file-keras-lambda'
  | 'model-file-template-injection'
  | 'model-file-external-data-traversal';

/** JSON values allowed in `metadata` and other free-form fields. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Machine-readable reason codes for findings; the message says the same for humans.
 * Readers of other formats may add codes (keep them kebab-case and stable).
 */
export type FindingReason =
  // pickle
  | 'deny-listed-global' // a global on the union deny list (any dotted prefix of module or name)
  | 'scanner-deactivation' // imports a scanner module (fickling, picklescan, modelscan, …)
  | 'unresolved-import' // GLOBAL/STACK_GLOBAL target that is not a constant string
  | 'unresolved-call' // a call whose callee cannot be resolved
  | 'ext-opcode' // EXT1/EXT2/EXT4 (copyreg extension registry)
  | 'inst-opcode' // INST (imports and instantiates in one step)
  | 'object-creation' // OBJ/NEWOBJ_EX on a non-allowlisted class
  | 'invisible-call' // a call result that is discarded (POP, POP_MARK, left on the stack at STOP)
  | 'frame-violation' // FRAME rules broken (parser divergence)
  | 'class-mutation' // BUILD/SETITEM/APPEND applied to a class or module object
  | 'nested-pickle' // a pickle inside a pickle (found and scanned)
  | 'non-allowlisted-global' // a global outside the weights_only/numpy allowlists
  | 'non-allowlisted-call' // REDUCE/NEWOBJ/BUILD on a non-allowlisted callable or class
  | 'unexpected-persistent-id' // PERSID/BINPERSID not of torch's ('storage', …) shape
  | 'out-of-band-buffer' // NEXT_BUFFER / READONLY_BUFFER (protocol 5)
  | 'expansion-attack' // GET/PUT ratio or DUP count beyond fickling's thresholds
  | 'torchscript' // TorchScript code runs on load
  | 'not-inspectable' // content that cannot be examined (compressed with an unsupported codec, …)
  | 'partially-scanned' // the scanner could not follow the whole stream (e.g. unknown array size)
  // keras (model-file-keras-lambda)
  | 'keras-lambda' // a `__lambda__` object or a Lambda layer (marshalled Python bytecode / arbitrary callables)
  | 'keras-unsafe-module' // a `module` outside keras/keras_hub/keras_cv/keras_nlp/tf_keras (CVE-2025-1550)
  | 'keras-function-reference' // class_name "function" outside keras activations/losses/metrics
  | 'keras-unsafe-layer' // TFSMLayer (loads an external SavedModel), TFOpLambda
  | 'keras-unsafe-string' // enable_unsafe_deserialization / get_file / load_model / safe_mode in the config
  // chat templates (model-file-template-injection)
  | 'template-injection' // SSTI indicators in a Jinja chat template
  // references out of the file (model-file-external-data-traversal)
  | 'path-traversal' // a reference that is absolute, climbs with `..`, names a drive/UNC/URL or holds NUL
  | 'external-reference' // a reference to another file that stays lexically inside (HDF5 links/VDS/external storage, TFSMLayer…)
  | 'unknown-external-data-key' // ONNX external_data keys outside location/offset/length/checksum/basepath
  // malformed
  | 'truncated'
  | 'limit-exceeded'
  | 'parse-error'
  | 'memo-missing-key'
  | 'misplaced-proto'
  | 'extra-pickle-stream'
  | 'trailing-data'
  | 'stack-not-empty'
  | 'zip-anomaly'
  | 'polyglot'
  | 'storage-mismatch'
  | 'header-invalid'
  | 'offsets-invalid' // tensor data offsets overlap, leave holes, or point outside the data
  | 'duplicate-key' // the same key twice (JSON object, GGUF metadata, tensor names): parsers disagree on which wins
  | 'parser-differential' // the file reads differently in different loaders (leading whitespace, flags…)
  | 'checksum-mismatch'
  | 'not-a-model'
  | 'timeout'
  | 'internal-error';

/** Where a finding points to and why, for the panel and for JSON consumers. */
export interface FindingDetail {
  reason: FindingReason;
  /** Byte offset of the opcode/record. Relative to `entry`'s data when `entry` is set, else to the file. */
  offset?: number;
  /** Zip member (or nesting path like "data.pkl > nested pickle @120") the offset belongs to. */
  entry?: string;
  /** Pickle stream index within the entry/file (0-based). */
  stream?: number;
  /** Pickle opcode name (GLOBAL, STACK_GLOBAL, REDUCE, …). */
  opcode?: string;
  /** Dotted global "module.name" involved. */
  global?: string;
  /** Which list or rule matched (e.g. "deny list: os (picklescan, modelscan, fickling)"). */
  matched?: string;
  /** Kind of anomaly or extra details, free-form but short. */
  extra?: string;
}

export interface ModelFinding {
  ruleId: ModelRuleId;
  severity: Severity;
  /** The verdict this finding implies on its own; the report's verdict is the maximum. */
  verdict: Exclude<Verdict, 'safe'>;
  message: string;
  detail: FindingDetail;
}

/** A candidate format seen by content detection (detect.ts). A file may have several (polyglots). */
export interface FormatCandidate {
  kind: CandidateKind;
  /** Offset at which the format starts (0 for most; the archive start for a junk-prefixed zip). */
  offset: number;
  confidence: 'certain' | 'likely' | 'weak';
  note?: string;
}

export type CandidateKind =
  | 'zip' // PK\x03\x04 at offset 0
  | 'zip-eocd' // an end-of-central-directory record near the end (zip not at 0: junk prefix / polyglot)
  | 'pickle'
  | 'pytorch-legacy' // pickle starting with torch's legacy magic number
  | 'npy'
  | 'safetensors'
  | 'gguf'
  | 'ggml-legacy'
  | 'hdf5'
  | 'onnx'
  | 'tar'
  | 'gzip'
  | 'zlib'
  | 'bz2'
  | 'xz'
  | 'lzma'
  | 'lz4'
  | 'zstd'
  | 'joblib-zf' // joblib < 0.9.3 "ZF" compressed
  | 'json'
  | 'git-lfs-pointer'
  | 'html'
  | 'empty'
  | 'all-zero';

export interface TensorInfo {
  /** Dotted key path in the saved object (state-dict key), or the array name. */
  name: string;
  /** Normalized dtype: float32, float16, bfloat16, int64, uint8, bool, complex64, float8_e4m3fn, object, … */
  dtype: string;
  shape: number[];
  /** Absolute file offset of the first element, when the data is stored uncompressed at a known place. */
  offset?: number;
  /** Bytes of this tensor's own elements (product(shape) × element size). */
  bytes?: number;
  /** PyTorch: storage key (zip record data/<key>) and element offset into it. */
  storage?: string;
  storageOffset?: number;
  stride?: number[];
  /** PyTorch: device location recorded at save time ('cpu', 'cuda:0'). */
  device?: string;
  requiresGrad?: boolean;
  /** NumPy: Fortran order. */
  fortranOrder?: boolean;
  /** GGUF: the ggml type as written (Q4_K, F16…); `dtype` is the same name in lower case. */
  quantization?: string;
  /** ONNX / HDF5: the data lives in another file (never opened). */
  external?: { location: string; offset?: number; length?: number };
}

export interface DtypeTotals { count: number; parameters: number; bytes: number }

export interface TensorTotals {
  count: number;
  /** Sum of product(shape) over tensors. */
  parameters: number;
  /** Sum of `bytes` over tensors (views of a shared storage are counted each time). */
  bytes: number;
  byDtype: Record<string, DtypeTotals>;
}

export type GlobalClassification = 'safe' | 'safe-numpy' | 'suspicious' | 'dangerous';

/** One imported global, aggregated over the pickle streams of one entry (the file itself, or a member). */
export interface PickleGlobal {
  module: string;
  name: string;
  /** How many times it is imported (GLOBAL/STACK_GLOBAL/INST opcodes). */
  count: number;
  /** How many times it is called or instantiated (REDUCE/NEWOBJ/NEWOBJ_EX/OBJ/INST). */
  calls: number;
  classification: GlobalClassification;
  /** Why (which allowlist or deny list, which rule). */
  reason: string;
  /** Import opcodes used. */
  opcodes: string[];
  /** First place it was seen. */
  entry?: string;
  offset: number;
}

/** One pickle stream (a file may hold several after STOP; zips hold them per member). */
export interface PickleStreamSummary {
  /** Zip member / nesting path the stream lives in; absent for the file itself. */
  entry?: string;
  index: number;
  /** Byte range [start, end) of the stream within its entry (or the file). */
  start: number;
  end: number;
  /** PROTO argument, or 0 when the stream has no PROTO (protocol 0/1). */
  protocol: number;
  opcodes: number;
  /** Reached STOP without error. */
  complete: boolean;
  error?: string;
  /** Per-opcode counts. */
  opcodeCounts: Record<string, number>;
  maxStackDepth: number;
  memoSize: number;
  /** Opcodes outside torch's weights_only vocabulary (formats.md §2.2). */
  nonWeightsOnlyOpcodes: string[];
  /** Depth of pickle-in-pickle nesting (0 for top level). */
  nesting: number;
  /** Short description of what the stream's result is (e.g. "OrderedDict (12 items)"). */
  result?: string;
}

export interface PickleSection {
  streams: PickleStreamSummary[];
  globals: PickleGlobal[];
  /** Set when more than the reported cap of distinct globals existed. */
  globalsTruncated?: boolean;
  /** True when every stream only uses torch weights_only opcodes and allowlisted globals. */
  weightsOnlyCompatible: boolean;
  totalOpcodes: number;
}

export interface ZipEntrySummary {
  name: string;
  /** 0 stored, 8 deflate, others unsupported. */
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  localHeaderOffset: number;
  /** Absolute offset of the entry's data, when the local header was read. */
  dataOffset?: number;
  /** What content sniffing found in the entry, when it was examined. */
  content?: string;
  /** Whether the entry was read (and how many bytes). */
  read?: boolean;
  anomalies?: string[];
}

export interface ZipSection {
  entryCount: number;
  entries: ZipEntrySummary[];
  /** Set when the listing was capped. */
  entriesTruncated?: boolean;
  zip64: boolean;
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  /** Bytes before the archive's first byte (junk prefix / polyglot). */
  prefixBytes: number;
  /** Bytes after the end-of-central-directory record and its comment. */
  trailingBytes: number;
  comment?: string;
  /** PyTorch archive root folder. */
  root?: string;
  anomalies: { kind: string; entry?: string; message: string }[];
}

export interface NumpySection {
  version: string;
  descr: JsonValue;
  fortranOrder: boolean;
  shape: number[];
  headerLength: number;
  dataOffset: number;
  expectedDataBytes?: number;
  actualDataBytes?: number;
  hasObjects: boolean;
}

/** One validation rule of a format and whether the file passes it (shown as a checklist in the panel). */
export interface ValidationCheck {
  /** Stable id, e.g. "offsets-contiguous", "alignment". */
  check: string;
  ok: boolean;
  /** What was found when the check failed (or a short note when it passed). */
  detail?: string;
}

/**
 * A reference from the file to another file (ONNX external data, safetensors shard names, HDF5
 * external links / virtual datasets / external storage, Keras TFSMLayer or vocabulary paths).
 * Never opened or followed; validated lexically only (formats.md §0 rule 6).
 */
export interface ExternalReference {
  kind: 'onnx-external-data' | 'safetensors-shard' | 'hdf5-external-link' | 'hdf5-virtual-dataset' | 'hdf5-external-storage' | 'keras-tfsm-layer' | 'keras-file-path';
  /** Where in the file: tensor name, HDF5 object path, config path. */
  from: string;
  /** The referenced path exactly as written (hostile text: escape it). */
  target: string;
  offset?: number;
  length?: number;
  /** inside: relative and stays in the model's folder; escapes: absolute, `..` out, drive/UNC/URL, NUL; odd: unusual but inside. */
  status: 'inside' | 'escapes' | 'odd';
  problems?: string[];
}

export interface SafetensorsSection {
  /** N: the JSON header's byte length (incl. padding). */
  headerLength: number;
  /** 8 + N: where the byte buffer starts; data_offsets are relative to it. */
  dataOffset: number;
  /** Bytes after the header. */
  dataBytes: number;
  /** `__metadata__` (string → string; non-string values are shown as JSON text). */
  metadata?: Record<string, string>;
  tensorCount: number;
  /** The reference implementation's validation rules, each with its outcome. */
  checks: ValidationCheck[];
}

export interface ShardIndexSection {
  /** metadata.total_size, when given. */
  totalSize?: number;
  metadata?: Record<string, JsonValue>;
  /** Tensors named in weight_map. */
  tensorCount: number;
  shards: { name: string; tensors: number; status: ExternalReference['status'] }[];
  shardsTruncated?: boolean;
}

export interface GgufKv {
  key: string;
  /** GGUF value type name (UINT32, STRING, ARRAY…). */
  type: string;
  /** Scalar value, or a string cut to a display length (see `truncated`); arrays: the first elements. */
  value?: JsonValue;
  /** Arrays: element type and length; strings: byte length. */
  elementType?: string;
  length?: number;
  truncated?: boolean;
}

export interface ChatTemplateInfo {
  /** Where it came from: the GGUF key, or `chat_template` in tokenizer_config.json. */
  key: string;
  /** Template text (never rendered; hostile: show as code), cut at 256 KiB. */
  template: string;
  length: number;
  truncated?: boolean;
  /** SSTI indicators found (empty for a clean template). */
  indicators: { indicator: string; offset: number; excerpt: string }[];
}

export interface GgufSection {
  version: number;
  endianness: 'little' | 'big';
  tensorCount: number;
  kvCount: number;
  alignment: number;
  /** Absolute offset of the tensor data section. */
  dataOffset: number;
  kv: GgufKv[];
  kvTruncated?: boolean;
  checks: ValidationCheck[];
}

export interface OnnxValueInfo {
  name: string;
  elemType?: string;
  /** Dimensions: a number (dim_value), a string (dim_param) or null (unknown). */
  shape?: (number | string | null)[];
}

export interface OnnxSection {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  opsetImport: { domain: string; version: number }[];
  metadataProps: { key: string; value: string }[];
  graphName?: string;
  nodeCount: number;
  /** op histogram: "Conv" or "domain::Op" → count (all graphs, subgraphs included). */
  opTypes: Record<string, number>;
  /** Domains outside the ONNX standard ones (need custom-op libraries; informational). */
  customDomains: string[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializerCount: number;
  initializerBytes: { inline: number; external: number };
  subgraphCount: number;
  maxSubgraphDepth: number;
  functions: string[];
  trainingInfo: number;
  externalData: { tensor: string; location: string; offset?: string; length?: string; checksum?: string; unknownKeys?: string[]; status: ExternalReference['status'] }[];
}

export interface KerasLayerInfo {
  /** Path in the config tree ("layers[2].config.layer"). */
  path: string;
  className: string;
  name?: string;
  module?: string;
  registeredName?: string;
  /** Why it was flagged, when it was. */
  flagged?: string;
}

export interface KerasSection {
  /** Where the config came from: the .keras `config.json`, or the HDF5 root attribute `model_config`. */
  source: 'config.json' | 'model_config' | 'json';
  kerasVersion?: string;
  backend?: string;
  dateSaved?: string;
  modelClass?: string;
  modelName?: string;
  layers: KerasLayerInfo[];
  layersTruncated?: boolean;
  /** compile_config / training_config, cut for display. */
  compileConfig?: JsonValue;
  /** .keras: the weights member and other members. */
  weightsFile?: string;
  assets?: string[];
}

export interface Hdf5Section {
  /** Offset of the superblock (a user block precedes it when > 0). */
  superblockOffset: number;
  superblockVersion: number;
  offsetSize: number;
  lengthSize: number;
  rootAttributes: { name: string; dtype: string; shape: number[]; value?: JsonValue; truncated?: boolean }[];
  objects: number;
  groups: number;
  datasets: number;
  links: { hard: number; soft: number; external: number };
  checks: ValidationCheck[];
}

export interface ModelReport {
  schemaVersion: number;
  /** The path as given (or a label for in-memory sources). */
  file: string;
  size: number;
  format: ModelFormat;
  /** Human-readable variant, e.g. "pickle protocol 2", "torch zip (root 'archive'), data.pkl protocol 2, version 3". */
  variant: string;
  /** What content detection saw (several for polyglots). */
  candidates: FormatCandidate[];
  verdict: Verdict;
  /** One line explaining the verdict (the first most severe finding, or why it is safe). */
  summary: string;
  findings: ModelFinding[];
  /** Header / metadata key → value (torch version record, byteorder, npy descr, LFS oid, HTML title…). */
  metadata: Record<string, JsonValue>;
  tensors: TensorInfo[];
  tensorsTruncated?: boolean;
  totals: TensorTotals;
  pickle?: PickleSection;
  zip?: ZipSection;
  numpy?: NumpySection;
  safetensors?: SafetensorsSection;
  shardIndex?: ShardIndexSection;
  gguf?: GgufSection;
  onnx?: OnnxSection;
  keras?: KerasSection;
  hdf5?: Hdf5Section;
  /** Embedded chat templates (GGUF, tokenizer_config.json), never rendered; absent when there are none. */
  chatTemplates?: ChatTemplateInfo[];
  /** References to other files (never followed); absent when there are none. */
  references?: ExternalReference[];
  /** False when something that could carry code was not examined (the verdict is then at least suspicious). */
  complete: boolean;
  /** File bytes actually read (positional reads; never the whole file unless it is small). */
  bytesRead: number;
  durationMs: number;
  /** Plain-language notes for the panel ("nothing was executed", what was skipped, …). */
  notes: string[];
}
