/**
 * Hard caps for the model-file readers (formats.md §3.7, §10). Every length or count read from a
 * file is checked against the bytes that remain and against these before anything is allocated.
 */
export interface ScanLimits {
  /** Pickle: opcodes per stream (fickling `max_opcodes`). */
  pickleOpcodes: number;
  /** Pickle: symbolic stack depth (fickling `max_stack_depth`). */
  pickleStackDepth: number;
  /** Pickle: memo entries (fickling `max_memo_size`). */
  pickleMemo: number;
  /** Pickle: streams per file or member (legacy torch uses 5). */
  pickleStreams: number;
  /** Pickle: distinct globals listed in the report. */
  pickleGlobalsReported: number;
  /** Pickle: longest text line (protocol 0 opcodes, GLOBAL/INST operands). */
  pickleLineLength: number;
  /** Pickle: longest string kept verbatim in the symbolic model (longer ones are truncated). */
  pickleStringKept: number;
  /** Pickle: GET/PUT ratio above which an expansion attack is reported (fickling `max_get_ratio`). */
  pickleGetPutRatio: number;
  /** Nesting of containers in containers (zip in zip, pickle in pickle). */
  nestingDepth: number;
  /** Nested scans (pickle-in-pickle, member archives) per file. */
  nestedScans: number;
  /** Zip: central-directory entries (beyond: reported and ignored). */
  zipEntries: number;
  /** Zip: central directory bytes read. */
  zipCentralDirectoryBytes: number;
  /** Zip: members whose content is sniffed in generic archives. */
  zipMembersSniffed: number;
  /** Zip: a pickle member read for disassembly (inflated size). */
  zipPickleEntryBytes: number;
  /** Zip: a JSON member. */
  zipJsonEntryBytes: number;
  /** Zip: small text records (version, byteorder). */
  zipSmallRecordBytes: number;
  /** Deflate: inflated/compressed ratio reported as a possible zip bomb. */
  inflateRatioWarning: number;
  /** Stored members read into memory for CRC checking up to this size; larger ones are streamed. */
  crcCheckBytes: number;
  /** npy: header characters (numpy `_MAX_HEADER_SIZE`). */
  npyHeaderChars: number;
  /** Compressed joblib: compressed bytes read / inflated bytes produced. */
  compressedInputBytes: number;
  compressedOutputBytes: number;
  /** safetensors: JSON header bytes (Rust MAX_HEADER_SIZE); above it the file is refused. */
  safetensorsHeaderBytes: number;
  /** safetensors: headers up to this size are read in one piece; larger ones are parsed in windows. */
  safetensorsEagerHeaderBytes: number;
  /** safetensors index (and other JSON files): bytes parsed; shards listed. */
  jsonFileBytes: number;
  shardCount: number;
  /** JSON nesting depth (safetensors headers, Keras configs, index files). */
  jsonDepth: number;
  /** GGUF (formats.md §5 limits, from @huggingface/gguf). */
  ggufKvCount: number;
  ggufTensorCount: number;
  ggufArrayLength: number;
  ggufStringBytes: number;
  ggufTensorDims: number;
  ggufArrayNesting: number;
  /** ONNX: nesting of subgraphs (If/Loop/Scan attributes) and protobuf fields walked in total. */
  onnxSubgraphDepth: number;
  onnxFields: number;
  /** Keras: config tree depth walked (objects and arrays). */
  kerasConfigDepth: number;
  /** HDF5: objects (groups + datasets) visited, an attribute's data bytes, an object header chunk. */
  hdf5Objects: number;
  hdf5AttributeBytes: number;
  hdf5HeaderChunkBytes: number;
  /** Chat templates: bytes scanned for SSTI indicators. */
  templateBytes: number;
  /** Tensors listed in the report. */
  tensorsReported: number;
  /** Findings listed (beyond: one summary finding). */
  findingsReported: number;
  /** Wall-clock budget for the synchronous inspection, in ms (the worker adds its own timeout). */
  timeBudgetMs: number;
}

export const DEFAULT_LIMITS: Readonly<ScanLimits> = Object.freeze({
  pickleOpcodes: 1_000_000,
  pickleStackDepth: 10_000,
  pickleMemo: 100_000,
  pickleStreams: 64,
  pickleGlobalsReported: 10_000,
  pickleLineLength: 64 * 1024,
  pickleStringKept: 64 * 1024,
  pickleGetPutRatio: 50,
  nestingDepth: 3,
  nestedScans: 32,
  zipEntries: 100_000,
  zipCentralDirectoryBytes: 64 * 1024 * 1024,
  zipMembersSniffed: 10_000,
  zipPickleEntryBytes: 256 * 1024 * 1024,
  zipJsonEntryBytes: 64 * 1024 * 1024,
  zipSmallRecordBytes: 4096,
  inflateRatioWarning: 200,
  crcCheckBytes: 64 * 1024 * 1024,
  npyHeaderChars: 10_000,
  compressedInputBytes: 64 * 1024 * 1024,
  compressedOutputBytes: 256 * 1024 * 1024,
  safetensorsHeaderBytes: 100_000_000,
  safetensorsEagerHeaderBytes: 25_000_000,
  jsonFileBytes: 64 * 1024 * 1024,
  shardCount: 10_000,
  jsonDepth: 512,
  ggufKvCount: 100_000,
  ggufTensorCount: 10_000_000,
  ggufArrayLength: 1_000_000,
  ggufStringBytes: 10_000_000,
  ggufTensorDims: 8,
  ggufArrayNesting: 4,
  onnxSubgraphDepth: 32,
  onnxFields: 20_000_000,
  kerasConfigDepth: 256,
  hdf5Objects: 100_000,
  hdf5AttributeBytes: 64 * 1024 * 1024,
  hdf5HeaderChunkBytes: 16 * 1024 * 1024,
  templateBytes: 10_000_000,
  tensorsReported: 100_000,
  findingsReported: 500,
  timeBudgetMs: 30_000,
});
