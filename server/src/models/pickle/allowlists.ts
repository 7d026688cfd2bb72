/**
 * Global classification for pickle imports (formats.md §2.2, §3.3–3.6; rules.md C7):
 *
 * - `safe`: on torch's `weights_only` allowlist (`_get_allowed_globals`).
 * - `safe-numpy`: the numpy array-reconstruction vocabulary (`numpy.core.multiarray._reconstruct`,
 *   `numpy.ndarray`, `numpy.dtype`, `…multiarray.scalar`) and joblib's array wrappers. These only
 *   rebuild arrays; they count as safe for the verdict, but make the file not loadable with
 *   `weights_only=True` (reported as `weightsOnlyCompatible: false`). Decision documented here:
 *   picklescan and fickling allowlist the same set; the HF Hub shows them as "suspicious".
 * - `dangerous`: the union of the picklescan, modelscan and fickling deny lists, matched on every
 *   dotted prefix of the module, on the module plus every prefix of the (dotted) name, and on every
 *   run of name components read as a module path — protocol 4 resolves dotted names attribute by
 *   attribute, so `find_class('pathlib', 'os.system')` reaches `os.system` (bypass #11) and
 *   `asyncio.unix_events._UnixSubprocessTransport._start` is inside `asyncio` (bypass #8).
 *   Scanner modules (bypass #15) and dunder attribute traversal are dangerous too.
 * - `suspicious`: everything else, with the reason.
 *
 * Names are normalized with CPython's `_compat_pickle` mapping for protocol < 3 before matching the
 * allowlists; deny lists are matched on both the raw and the mapped name.
 */
import type { GlobalClassification } from '../types';

export interface GlobalVerdict {
  classification: GlobalClassification;
  reason: string;
  /** The list entry that matched (for dangerous/safe), e.g. "os.*". */
  matched?: string;
  /** Set when the global is a scanner module (deactivation attempt). */
  scanner?: boolean;
}

const TORCH_DTYPES = [
  'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'complex32', 'chalf', 'complex64', 'cfloat',
  'complex128', 'cdouble', 'uint8', 'int8', 'int16', 'short', 'int32', 'int', 'int64', 'long', 'bool', 'qint8',
  'quint8', 'qint32', 'quint4x2', 'quint2x4', 'uint16', 'uint32', 'uint64', 'float8_e5m2', 'float8_e4m3fn',
  'float8_e5m2fnuz', 'float8_e4m3fnuz', 'float8_e8m0fnu', 'float4_e2m1fn_x2', 'bits1x8', 'bits2x4', 'bits4x2',
  'bits8', 'bits16', 'uint1', 'uint2', 'uint3', 'uint4', 'uint5', 'uint6', 'uint7', 'int1', 'int2', 'int3', 'int4',
  'int5', 'int6', 'int7',
];

/** Legacy typed storage classes → the dtype of their elements. */
export const STORAGE_DTYPES: Readonly<Record<string, string>> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool', ComplexFloatStorage: 'complex64', ComplexDoubleStorage: 'complex128',
  QUInt8Storage: 'quint8', QInt8Storage: 'qint8', QInt32Storage: 'qint32', QUInt4x2Storage: 'quint4x2',
  QUInt2x4Storage: 'quint2x4', UntypedStorage: 'uint8',
};

const TENSOR_CLASSES = [
  'FloatTensor', 'DoubleTensor', 'HalfTensor', 'BFloat16Tensor', 'ByteTensor', 'CharTensor', 'ShortTensor',
  'IntTensor', 'LongTensor', 'BoolTensor', 'ComplexFloatTensor', 'ComplexDoubleTensor',
];

/** torch `_weights_only_unpickler._get_allowed_globals` (formats.md §2.2), as "module.name". */
export const WEIGHTS_ONLY_GLOBALS: ReadonlySet<string> = new Set([
  'collections.OrderedDict', 'collections.Counter',
  'torch.nn.parameter.Parameter', 'torch.serialization._get_layout', 'torch.Size', 'torch.Tensor', 'torch.device',
  '_codecs.encode', 'builtins.bytearray', 'builtins.set', 'builtins.complex',
  ...TORCH_DTYPES.map((d) => `torch.${d}`),
  ...TENSOR_CLASSES.flatMap((c) => [`torch.${c}`, `torch.cuda.${c}`]),
  ...Object.keys(STORAGE_DTYPES).flatMap((s) => [`torch.${s}`, `torch.cuda.${s}`]),
  'torch.TypedStorage', 'torch.storage.TypedStorage', 'torch.storage.UntypedStorage',
  'torch.per_tensor_affine', 'torch.per_tensor_symmetric', 'torch.per_channel_affine',
  'torch.per_channel_symmetric', 'torch.per_channel_affine_float_qparams',
  ...['_rebuild_parameter', '_rebuild_parameter_with_state', '_rebuild_qtensor', '_rebuild_tensor', '_rebuild_tensor_v2',
    '_rebuild_tensor_v3', '_rebuild_sparse_tensor', '_rebuild_meta_tensor_no_storage', '_rebuild_wrapper_subclass',
    '_rebuild_device_tensor_from_numpy', '_rebuild_device_tensor_from_cpu_tensor'].map((f) => `torch._utils.${f}`),
  'torch._tensor._rebuild_from_type_v2',
]);

/** The numpy array-reconstruction set and joblib's array wrappers (see the module comment). */
export const SAFE_NUMPY_GLOBALS: ReadonlySet<string> = new Set([
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar',
  'numpy.ndarray', 'numpy.dtype',
  'joblib.numpy_pickle.NumpyArrayWrapper', 'joblib.numpy_pickle.NDArrayWrapper', 'joblib.numpy_pickle.ZNDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper', 'sklearn.externals.joblib.numpy_pickle.NDArrayWrapper',
]);

/**
 * The TorchScript C++ unpickler's vocabulary (`unpickler.cpp` `readGlobal`): identity helpers in
 * Python, so not dangerous, but outside weights_only (TorchScript archives are suspicious anyway).
 * Exact names only: they override the `torch.jit` whole-module deny entry from fickling.
 */
export const TORCHSCRIPT_GLOBALS: ReadonlySet<string> = new Set([
  'torch.jit._pickle.build_intlist', 'torch.jit._pickle.build_tensorlist', 'torch.jit._pickle.build_doublelist',
  'torch.jit._pickle.build_boollist', 'torch.jit._pickle.build_tensor_from_id', 'torch.jit._pickle.restore_type_tag',
  'torch.jit._pickle.build_complexlist',
]);

/** joblib's wrapper classes (joblib files are recognized by them). */
export const JOBLIB_WRAPPERS: ReadonlySet<string> = new Set([
  'joblib.numpy_pickle.NumpyArrayWrapper', 'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
]);

const JOBLIB_MODULES = new Set(['joblib.numpy_pickle', 'sklearn.externals.joblib.numpy_pickle']);

const PS = 'picklescan';
const MS = 'modelscan';
const FK = 'fickling';

/**
 * Modules denied as a whole (picklescan `"*"`, modelscan `"*"`, fickling `UNSAFE_IMPORTS` and the
 * whole-module part of `UnsafeImportsML`) → which tools list them.
 */
const DENY_MODULES = new Map<string, string[]>();
/** Specific globals "module.name" (name may be dotted: "Class.method") → tools. */
const DENY_NAMES = new Map<string, string[]>();

function deny(map: Map<string, string[]>, tool: string, items: string): void {
  for (const item of items.split(/\s+/).filter(Boolean)) {
    const tools = map.get(item);
    if (tools) {
      if (!tools.includes(tool)) tools.push(tool);
    } else map.set(item, [tool]);
  }
}

// picklescan `_unsafe_globals` (formats.md §3.3)
deny(DENY_NAMES, PS, `builtins.eval builtins.compile builtins.getattr builtins.apply builtins.exec builtins.open builtins.breakpoint
  __builtin__.eval __builtin__.compile __builtin__.getattr __builtin__.apply __builtin__.exec __builtin__.open __builtin__.breakpoint
  cloudpickle.cloudpickle._builtin_type cloudpickle.cloudpickle._make_function cloudpickle.cloudpickle._function_setstate
  cloudpickle.cloudpickle._make_cell cloudpickle.cloudpickle._make_empty_cell cloudpickle.cloudpickle.subimport
  types.CodeType functools.partial logging.FileHandler _io.FileIO
  _operator.attrgetter _operator.itemgetter _operator.methodcaller operator.attrgetter operator.itemgetter operator.methodcaller
  code.InteractiveInterpreter.runcode doctest.debug_script ensurepip._run_pip
  idlelib.autocomplete.AutoComplete.get_entity idlelib.autocomplete.AutoComplete.fetch_completions
  idlelib.calltip.Calltip.fetch_tip idlelib.calltip.get_entity idlelib.debugobj.ObjectTreeItem.SetText
  idlelib.pyshell.ModifiedInterpreter.runcode idlelib.pyshell.ModifiedInterpreter.runcommand idlelib.run.Executive.runcode
  imaplib.IMAP4_stream lib2to3.pgen2.grammar.Grammar.loads lib2to3.pgen2.pgen.ParserGenerator.make_label
  pkgutil.resolve_name torch._dynamo.guards.GuardBuilder.get torch._inductor.codecache.compile_file
  torch.fx.experimental.symbolic_shapes.ShapeEnv.evaluate_guards_expression torch.jit.unsupported_tensor_ops.execWrapper
  torch.serialization.load torch.utils._config_module.ConfigModule.load_config
  torch.utils.bottleneck.__main__.run_cprofile torch.utils.bottleneck.__main__.run_autograd_prof torch.utils.collect_env.run
  torch.utils.data.datapipes.utils.decoder.basichandlers trace.Trace.run trace.Trace.runctx`);
deny(DENY_MODULES, PS, `aiohttp asyncio bdb commands ctypes httplib numpy.f2py numpy.testing._private.utils nt posix os
  requests.api runpy shutil socket ssl subprocess sys cProfile distutils.file_util pdb pickle _pickle pip pty profile pydoc
  test timeit urllib.request uuid venv webbrowser _osx_support _aix_support _pyrepl`);
// modelscan `unsafe_globals` (formats.md §3.4)
deny(DENY_NAMES, MS, `builtins.eval builtins.compile builtins.getattr builtins.apply builtins.exec builtins.open builtins.breakpoint
  builtins.__import__ __builtin__.eval __builtin__.compile __builtin__.getattr __builtin__.apply __builtin__.exec __builtin__.open
  __builtin__.breakpoint __builtin__.__import__ operator.attrgetter`);
deny(DENY_MODULES, MS, `runpy os nt posix socket subprocess sys pty pickle _pickle bdb pdb shutil asyncio webbrowser httplib
  requests.api aiohttp.client`);
// fickling `UNSAFE_IMPORTS` (module level, every dotted component) and `UnsafeImportsML` (formats.md §3.5)
deny(DENY_MODULES, FK, `__builtin__ __builtins__ builtins os posix nt subprocess sys pty commands multiprocessing _posixsubprocess
  code codeop runpy marshal types compile exec eval doctest _interpreters _xxsubinterpreters importlib _frozen_importlib
  _frozen_importlib_external _imp imp pkgutil zipimport gc site unittest inspect test _operator operator functools cProfile
  profile pdb bdb timeit trace socket ssl httplib http urllib urllib2 requests aiohttp asyncio webbrowser smtplib imaplib
  ftplib poplib telnetlib nntplib ctypes _ctypes pickle _pickle dill cloudpickle joblib shutil tempfile filecmp distutils pydoc
  pexpect pipes venv ensurepip pip idlelib lib2to3 socketserver xmlrpc signal _signal threading _thread atexit sqlite3
  _sqlite3 fileinput glob platform linecache difflib compileall py_compile mmap select selectors logging syslog tarfile
  zipfile shelve uuid _osx_support _aix_support
  torch.hub torch._dynamo torch._inductor torch.jit torch.compile numpy.f2py numpy.distutils`);
// (fickling also lists torch.storage._load_from_bytes; rules.md C7 makes it suspicious when the nested
// pickle is scanned, which we do: it is a NESTED_LOADER, not a deny entry)
deny(DENY_NAMES, FK, `torch.load torch.compile torch.utils._config_module.ConfigModule
  torch.distributed.elastic.rendezvous.api.basichandlers numpy.testing._private.utils.runstring _io.FileIO io.FileIO
  builtins.open builtins.exec builtins.eval builtins.compile`);
// Picklescan's later additions (formats.md §3.6 #9)
deny(DENY_NAMES, PS, `uuid._get_command_stdout _pyrepl.pager test.support.script_helper pip.main`);

/** fickling `SAFE_BUILTINS`: builtins that are not denied (still outside weights_only, so suspicious). */
const SAFE_BUILTINS = new Set(`bool int float complex str bytes bytearray list tuple set frozenset dict len abs sum min max
  round pow divmod sorted reversed enumerate zip range map filter slice iter next all any hash id repr ascii bin hex oct ord
  chr isinstance issubclass object callable format`.split(/\s+/).filter(Boolean));
const BUILTIN_MODULES = new Set(['builtins', '__builtin__', '__builtins__']);

/** Scanner modules a pickle has no business importing (fickling `ScannerDeactivation`). */
const SCANNER_MODULES = new Set(['fickling', 'picklescan', 'modelscan', 'model_unpickler', 'saferpickle', 'modelaudit']);

/**
 * Globals that unpickle their (bytes) argument: the argument is disassembled as a nested pickle
 * (formats.md §3.6 #14). Most are deny-listed anyway; `torch.storage._load_from_bytes` and
 * `numpy.load` are classified by what the nested data holds (at least suspicious).
 */
export const NESTED_LOADERS: ReadonlySet<string> = new Set([
  'pickle.loads', 'pickle.load', '_pickle.loads', '_pickle.load', 'pickle._loads', 'pickle._load',
  'torch.load', 'torch.serialization.load', 'torch.storage._load_from_bytes', 'numpy.load', 'numpy.loads',
  'joblib.load', 'joblib.numpy_pickle.load', 'dill.loads', 'dill.load', 'dill._dill.loads', 'cloudpickle.loads',
  'cloudpickle.load', 'torch.utils._config_module.ConfigModule.load_config', 'pickle.Unpickler', '_pickle.Unpickler',
]);

/** Wrappers that turn bytes into a file-like object for a nested loader. */
export const BYTES_WRAPPERS: ReadonlySet<string> = new Set(['_io.BytesIO', 'io.BytesIO']);

/** Dunder attributes whose appearance in a dotted name means attribute traversal to interpreter internals. */
const DANGEROUS_DUNDERS = new Set(['__globals__', '__builtins__', '__import__', '__subclasses__', '__class__', '__mro__',
  '__base__', '__bases__', '__getattribute__', '__dict__', '__code__', '__closure__', '__loader__', '__spec__', '__self__',
  '__func__', '__reduce__', '__reduce_ex__', '__init__', '__call__', '__getitem__', '__setattr__', '__delattr__']);

// CPython Lib/_compat_pickle.py (the parts that matter for matching).
const IMPORT_MAPPING: Record<string, string> = {
  __builtin__: 'builtins', copy_reg: 'copyreg', Queue: 'queue', SocketServer: 'socketserver', ConfigParser: 'configparser',
  repr: 'reprlib', tkFileDialog: 'tkinter.filedialog', Tkinter: 'tkinter', _winreg: 'winreg', thread: '_thread',
  dummy_thread: '_dummy_thread', cPickle: 'pickle', cStringIO: 'io', StringIO: 'io', urllib2: 'urllib.request',
  urlparse: 'urllib.parse', httplib: 'http.client', cookielib: 'http.cookiejar', xmlrpclib: 'xmlrpc.client',
  SimpleHTTPServer: 'http.server', BaseHTTPServer: 'http.server', CGIHTTPServer: 'http.server', commands: 'subprocess',
  UserDict: 'collections', UserList: 'collections', UserString: 'collections', exceptions: 'builtins', anydbm: 'dbm',
  whichdb: 'dbm', dbhash: 'dbm.bsd', dumbdbm: 'dbm.dumb', dbm: 'dbm.ndbm', gdbm: 'dbm.gnu', HTMLParser: 'html.parser',
  htmlentitydefs: 'html.entities', robotparser: 'urllib.robotparser', Cookie: 'http.cookies', _abcoll: 'collections.abc',
  multiprocessing: 'multiprocessing', __main__: '__main__',
};
const NAME_MAPPING: Record<string, [string, string]> = {
  '__builtin__.xrange': ['builtins', 'range'], '__builtin__.reduce': ['functools', 'reduce'],
  '__builtin__.intern': ['sys', 'intern'], '__builtin__.unichr': ['builtins', 'chr'], '__builtin__.unicode': ['builtins', 'str'],
  '__builtin__.long': ['builtins', 'int'], '__builtin__.basestring': ['builtins', 'str'],
  '__builtin__.raw_input': ['builtins', 'input'], '__builtin__.execfile': ['builtins', 'exec'],
  'itertools.izip': ['builtins', 'zip'], 'itertools.imap': ['builtins', 'map'], 'itertools.ifilter': ['builtins', 'filter'],
  'itertools.ifilterfalse': ['itertools', 'filterfalse'], 'itertools.izip_longest': ['itertools', 'zip_longest'],
  'UserDict.IterableUserDict': ['collections', 'UserDict'], 'UserList.UserList': ['collections', 'UserList'],
  'UserDict.UserDict': ['collections', 'UserDict'], 'UserString.UserString': ['collections', 'UserString'],
  'copy_reg._reconstructor': ['copyreg', '_reconstructor'], 'whichdb.whichdb': ['dbm', 'whichdb'],
  '_socket.fromfd': ['socket', 'fromfd'], '_multiprocessing.Connection': ['multiprocessing.connection', 'Connection'],
  'multiprocessing.process.Process': ['multiprocessing.context', 'Process'],
  'multiprocessing.forking.Popen': ['multiprocessing.popen_fork', 'Popen'], 'urllib.ContentTooShortError': ['urllib.error', 'ContentTooShortError'],
  'urllib.getproxies': ['urllib.request', 'getproxies'], 'urllib.pathname2url': ['urllib.request', 'pathname2url'],
  'urllib.quote_plus': ['urllib.parse', 'quote_plus'], 'urllib.quote': ['urllib.parse', 'quote'],
  'urllib.unquote_plus': ['urllib.parse', 'unquote_plus'], 'urllib.unquote': ['urllib.parse', 'unquote'],
  'urllib.url2pathname': ['urllib.request', 'url2pathname'], 'urllib.urlcleanup': ['urllib.request', 'urlcleanup'],
  'urllib.urlencode': ['urllib.parse', 'urlencode'], 'urllib.urlopen': ['urllib.request', 'urlopen'],
  'urllib.urlretrieve': ['urllib.request', 'urlretrieve'], 'urllib2.HTTPError': ['urllib.error', 'HTTPError'],
  'urllib2.URLError': ['urllib.error', 'URLError'],
};

/** CPython's protocol < 3 `fix_imports` mapping. */
export function compatName(module: string, name: string): [string, string] {
  const mapped = NAME_MAPPING[`${module}.${name}`];
  if (mapped) return mapped;
  return [IMPORT_MAPPING[module] ?? module, name];
}

function prefixes(parts: string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) out.push(parts.slice(0, i).join('.'));
  return out;
}

const tools = (t: string[]) => t.join(', ');

/** Deny-list match on one (module, name) pair, or undefined. */
function denyMatch(module: string, name: string): GlobalVerdict | undefined {
  const modParts = module.split('.');
  const nameParts = name.split('.');
  // scanner deactivation
  for (const p of modParts.concat(nameParts)) {
    if (SCANNER_MODULES.has(p)) {
      return { classification: 'dangerous', reason: `imports the scanner module \`${p}\` (scanner deactivation, fickling ScannerDeactivation)`, matched: p, scanner: true };
    }
  }
  // builtins: everything except fickling's SAFE_BUILTINS
  if (BUILTIN_MODULES.has(module) && !(nameParts.length === 1 && SAFE_BUILTINS.has(name))) {
    const listed = DENY_NAMES.get(`${module}.${name}`) ?? DENY_NAMES.get(`builtins.${name}`);
    return {
      classification: 'dangerous',
      reason: `\`${module}.${name}\` is ${listed ? `deny-listed (${tools(listed)})` : 'a builtin outside fickling\'s SAFE_BUILTINS'}`,
      matched: `${module}.${name}`,
    };
  }
  // every dotted prefix of the module
  for (const p of prefixes(modParts)) {
    const hit = DENY_MODULES.get(p);
    if (hit && !BUILTIN_MODULES.has(p)) return { classification: 'dangerous', reason: `module \`${p}\` is deny-listed as a whole (${tools(hit)})`, matched: `${p}.*` };
  }
  // module + every prefix of the dotted name
  for (const p of prefixes(nameParts)) {
    const full = `${module}.${p}`;
    const hit = DENY_NAMES.get(full) ?? DENY_MODULES.get(full);
    if (hit) return { classification: 'dangerous', reason: `\`${full}\` is deny-listed (${tools(hit)})`, matched: full };
  }
  // dotted-name traversal: name components reached by getattr may be re-exported modules
  if (nameParts.length > 1) {
    for (const part of nameParts) {
      if (DANGEROUS_DUNDERS.has(part)) {
        return { classification: 'dangerous', reason: `dotted name traverses \`${part}\` (attribute traversal to interpreter internals)`, matched: part };
      }
    }
    for (let i = 0; i < nameParts.length - 1; i++) {
      const run = nameParts.slice(i);
      for (const p of prefixes(run)) {
        const hit = DENY_MODULES.get(p);
        if (hit) return { classification: 'dangerous', reason: `dotted name \`${name}\` reaches \`${p}\`, deny-listed as a whole (${tools(hit)}) — attribute traversal (fickling GHSA-5j3x-jp52-966f)`, matched: `${p}.*` };
        const named = DENY_NAMES.get(p);
        if (named) return { classification: 'dangerous', reason: `dotted name \`${name}\` reaches \`${p}\`, deny-listed (${tools(named)})`, matched: p };
      }
    }
  } else if (DANGEROUS_DUNDERS.has(name) && name !== '__init__') {
    return { classification: 'dangerous', reason: `imports the attribute \`${name}\` (interpreter internals)`, matched: name };
  }
  return undefined;
}

/**
 * Classifies one imported global. `protocol` is the stream's PROTO (0 when absent): for protocol < 3
 * Python 2 names are mapped the way CPython's unpickler maps them.
 */
export function classifyGlobal(module: string, name: string, protocol: number): GlobalVerdict {
  const [mModule, mName] = protocol < 3 ? compatName(module, name) : [module, name];
  const key = `${mModule}.${mName}`;
  // exact allowlist entries that sit inside a deny-listed module (joblib.*, torch.jit.*)
  if (SAFE_NUMPY_GLOBALS.has(key) && JOBLIB_MODULES.has(mModule)) {
    return { classification: 'safe-numpy', reason: 'joblib array wrapper (array bytes follow inline; not loadable with weights_only=True)', matched: key };
  }
  if (TORCHSCRIPT_GLOBALS.has(key)) return { classification: 'suspicious', reason: 'TorchScript unpickler helper (torch.jit._pickle)', matched: key };
  const denied = denyMatch(module, name) ?? (mModule !== module || mName !== name ? denyMatch(mModule, mName) : undefined);
  if (denied) return denied;
  if (WEIGHTS_ONLY_GLOBALS.has(key)) return { classification: 'safe', reason: 'on the torch weights_only allowlist', matched: key };
  if (SAFE_NUMPY_GLOBALS.has(key)) return { classification: 'safe-numpy', reason: 'numpy/joblib array reconstruction (not loadable with weights_only=True)', matched: key };
  if (NESTED_LOADERS.has(key)) return { classification: 'suspicious', reason: `\`${key}\` unpickles its argument (nested pickle; its content is scanned separately)`, matched: key };
  if (BUILTIN_MODULES.has(mModule)) return { classification: 'suspicious', reason: `builtin \`${mName}\` is not on the weights_only allowlist` };
  if (module.startsWith('__torch__')) return { classification: 'suspicious', reason: 'TorchScript class (loaded by torch.jit)' };
  if (mModule === '__main__') return { classification: 'suspicious', reason: `\`${key}\` is a class from the saving script's __main__ (needs user code to load; not on the weights_only allowlist)` };
  return { classification: 'suspicious', reason: `\`${key}\` is not on the weights_only allowlist (its constructor / __setstate__ / __reduce__ runs on load)` };
}
