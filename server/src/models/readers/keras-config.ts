/**
 * The Keras config walker (formats.md §6, rules.md C7 `model-file-keras-lambda`), shared by the
 * `.keras` reader (`config.json`), the legacy HDF5 reader (root attributes `model_config` and
 * `training_config`) and stand-alone JSON configs. The whole tree is walked with a depth cap —
 * nested models, Functional layers and wrappers (TimeDistributed, Bidirectional) hold layers too:
 *
 * - `__lambda__` objects and `Lambda` layers (marshalled Python bytecode, or a function reference
 *   plus `arguments`): code that runs on load (CVE-2024-3660, CVE-2025-9905 for .h5, CVE-2025-8747);
 * - `module` outside keras / keras_hub / keras_cv / keras_nlp / tf_keras (CVE-2025-1550);
 * - `class_name: "function"` outside keras activations / losses / metrics;
 * - `TFSMLayer` (loads an external SavedModel even in safe mode, CVE-2026-1462), `TFOpLambda`;
 * - the strings `enable_unsafe_deserialization`, `get_file`, `load_model`, `safe_mode` anywhere
 *   (CVE-2025-9906, CVE-2025-8747 gadgets);
 * - file paths read at load (`vocabulary` of lookup/vectorization layers, TFSMLayer `filepath`):
 *   references, validated lexically.
 *
 * Nothing is decoded or executed: base64 bytecode is only measured.
 */
import type { InspectContext } from '../inspect-context';
import { JNum, JObject, toJsonValue, type JNode } from '../json/json-reader';
import type { FindingReason, KerasLayerInfo, KerasSection } from '../types';
import { reportReference } from './shared';

const ALLOWED_PACKAGES = new Set(['keras', 'keras_hub', 'keras_cv', 'keras_nlp', 'tf_keras']);
const SAFE_FUNCTION_MODULE = /^(keras|tf_keras)(\.src)?\.(activations|losses|metrics)(\.|$)/;
const UNSAFE_STRINGS = /enable_unsafe_deserialization|get_file|load_model|safe_mode/;
const LAYER_KEYS = new Set(['layer', 'forward_layer', 'backward_layer', 'cell']);
/** Findings listed per reason per config (the rest are counted in a note). */
const PER_REASON = 50;
const FILE_PATH_LAYERS = new Set(['StringLookup', 'IntegerLookup', 'TextVectorization', 'Hashing']);
const MAX_LAYERS = 10_000;
const MAX_NODES = 5_000_000;

export interface KerasWalk {
  section: KerasSection;
  flagged: number;
}

/** Walks one config tree; findings go to ctx.report. `label` names where it came from (config.json, model_config…). */
export function walkKerasConfig(ctx: InspectContext, root: JNode, source: KerasSection['source'], label: string): KerasWalk {
  const report = ctx.report;
  const section: KerasSection = { source, layers: [] };
  let flagged = 0;
  let nodes = 0;
  let depthHit = false;
  const perReason = new Map<FindingReason, number>();
  const flag = (reason: FindingReason, path: string, message: string) => {
    flagged++;
    const n = (perReason.get(reason) ?? 0) + 1;
    perReason.set(reason, n);
    if (n > PER_REASON) return;
    report.add('model-file-keras-lambda', 'dangerous', `${label}${path ? ` at ${path}` : ''}: ${message}`, { reason, entry: ctx.entry, extra: path.slice(0, 300) }, 'error');
  };
  const layer = (path: string, cls: string, obj: JObject, why?: string) => {
    if (section.layers.length >= MAX_LAYERS) {
      section.layersTruncated = true;
      return;
    }
    const cfg = obj.get('config');
    const info: KerasLayerInfo = { path, className: cls };
    const name = cfg instanceof JObject ? cfg.get('name') : undefined;
    if (typeof name === 'string') info.name = name.slice(0, 500);
    const module = obj.get('module');
    if (typeof module === 'string') info.module = module.slice(0, 300);
    const reg = obj.get('registered_name');
    if (typeof reg === 'string') info.registeredName = reg.slice(0, 300);
    if (why) info.flagged = why;
    section.layers.push(info);
  };

  const visit = (node: JNode, path: string, depth: number, parentKey: string | undefined): void => {
    if (++nodes > MAX_NODES) return;
    if ((nodes & 4095) === 0) ctx.checkTime();
    if (depth > ctx.limits.kerasConfigDepth) {
      depthHit = true;
      return;
    }
    if (typeof node === 'string') {
      const m = UNSAFE_STRINGS.exec(node);
      if (m) flag('keras-unsafe-string', path, `the string ${JSON.stringify(node.length > 120 ? `${node.slice(0, 120)}…` : node)} names \`${m[0]}\`, a known safe_mode bypass gadget (CVE-2025-8747, CVE-2025-9906)`);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((x, i) => visit(x, `${path}[${i}]`, depth + 1, parentKey));
      return;
    }
    if (!(node instanceof JObject)) return;
    const cls = node.get('class_name');
    const module = node.get('module');
    const cfg = node.get('config');
    let why: string | undefined;
    if (typeof cls === 'string') {
      if (cls === '__lambda__') {
        const value = cfg instanceof JObject ? (cfg.get('value') ?? cfg.get('code')) : undefined;
        const code = Array.isArray(value) ? value[0] : value;
        why = 'marshalled Python bytecode';
        flag('keras-lambda', path, `a \`__lambda__\` object: marshalled Python bytecode${typeof code === 'string' ? ` (${code.length} base64 characters)` : ''} that Keras rebuilds and runs when safe_mode is off (always before Keras 2.13, CVE-2024-3660)`);
      } else if (cls === 'Lambda') {
        why = 'Lambda layer';
        flag('keras-lambda', path, `a Lambda layer${describeLambda(cfg)}: it runs arbitrary Python when the model is loaded or called (CVE-2024-3660; legacy .h5 loads ignore safe_mode, CVE-2025-9905)`);
      } else if (cls === 'TFSMLayer') {
        why = 'TFSMLayer (external SavedModel)';
        const fp = cfg instanceof JObject ? cfg.get('filepath') : undefined;
        flag('keras-unsafe-layer', path, `a TFSMLayer${typeof fp === 'string' ? ` loading ${JSON.stringify(fp.slice(0, 200))}` : ''}: it loads an external TensorFlow SavedModel, even in safe mode (CVE-2026-1462)`);
        if (typeof fp === 'string') reportReference(ctx, 'keras-tfsm-layer', `${label} ${path}`, fp);
      } else if (cls === 'TFOpLambda') {
        why = 'TFOpLambda';
        const fn = cfg instanceof JObject ? cfg.get('function') : undefined;
        flag('keras-unsafe-layer', path, `a TFOpLambda layer${typeof fn === 'string' ? ` calling ${JSON.stringify(fn.slice(0, 100))}` : ''}: it calls a TensorFlow op by name`);
      } else if (cls === 'function') {
        const mod = typeof module === 'string' ? module : '';
        if (!SAFE_FUNCTION_MODULE.test(mod)) {
          why = 'function reference';
          const fname = typeof cfg === 'string' ? cfg : typeof node.get('registered_name') === 'string' ? (node.get('registered_name') as string) : '?';
          flag('keras-function-reference', path, `a function reference to \`${(mod ? `${mod}.` : '') + fname}\`${mod ? '' : ' (no module)'}: only keras activations, losses and metrics are expected; Keras resolves and calls other functions (CVE-2025-1550, CVE-2025-8747)`);
        }
      }
      if (typeof module === 'string' && cls !== 'function') {
        const top = module.split('.')[0];
        if (module !== '' && !ALLOWED_PACKAGES.has(top)) {
          why ??= `module ${module}`;
          flag('keras-unsafe-module', path, `\`${cls}\` from module \`${module.slice(0, 200)}\`, outside keras/keras_hub/keras_cv/keras_nlp/tf_keras: Keras < 3.9 imports it (CVE-2025-1550); later versions need it registered as a custom object`);
        }
      }
      if (FILE_PATH_LAYERS.has(cls) && cfg instanceof JObject) {
        const vocab = cfg.get('vocabulary');
        if (typeof vocab === 'string' && vocab.length > 0) {
          reportReference(ctx, 'keras-file-path', `${label} ${path}.config.vocabulary`, vocab, {
            inside: { verdict: 'suspicious', severity: 'warning', message: `${label} at ${path}: ${cls} reads its vocabulary from the file ${JSON.stringify(vocab.slice(0, 200))} when the model is loaded (not opened here)` },
          });
        }
      }
      const isLayer = path === '' || parentKey === 'layers' || (parentKey !== undefined && LAYER_KEYS.has(parentKey));
      if (isLayer || why) layer(path || '<root>', cls, node, why);
    }
    for (const [k, v] of node.entries()) {
      const m = UNSAFE_STRINGS.exec(k);
      if (m) flag('keras-unsafe-string', `${path}.${k}`, `the key ${JSON.stringify(k.slice(0, 120))} names \`${m[0]}\` (safe_mode bypass gadgets, CVE-2025-8747, CVE-2025-9906)`);
      visit(v, path ? `${path}.${k}` : k, depth + 1, k);
    }
  };
  visit(root, '', 0, undefined);
  for (const [reason, n] of perReason) if (n > PER_REASON) report.note(`${label}: ${n - PER_REASON} further ${reason} findings were not listed.`);
  if (nodes > MAX_NODES) {
    report.incomplete(`${label}: the config has more than ${MAX_NODES} nodes; the rest was not walked`);
  }
  if (depthHit) {
    report.malformed('suspicious', `${label} is nested deeper than ${ctx.limits.kerasConfigDepth} levels; the deeper part was not walked`, { reason: 'limit-exceeded', entry: ctx.entry });
    report.incomplete(`${label} below depth ${ctx.limits.kerasConfigDepth}`);
  }
  if (root instanceof JObject) {
    const cls = root.get('class_name');
    if (typeof cls === 'string') section.modelClass = cls.slice(0, 200);
    const cfg = root.get('config');
    const name = cfg instanceof JObject ? cfg.get('name') : undefined;
    if (typeof name === 'string') section.modelName = name.slice(0, 500);
    const compile = root.get('compile_config');
    if (compile !== undefined && compile !== null) section.compileConfig = toJsonValue(compile, 500, 500);
  }
  return { section, flagged };
}

function describeLambda(cfg: JNode | undefined): string {
  if (!(cfg instanceof JObject)) return '';
  const fn = cfg.get('function');
  const type = cfg.get('function_type');
  const args = cfg.get('arguments');
  const parts: string[] = [];
  if (Array.isArray(fn) && typeof fn[0] === 'string') parts.push(`base64-marshalled bytecode (${fn[0].length} characters${type === 'lambda' ? ', function_type "lambda"' : ''})`);
  else if (typeof fn === 'string') {
    const mod = cfg.get('module');
    parts.push(`function ${JSON.stringify(((typeof mod === 'string' ? `${mod}.` : '') + fn).slice(0, 200))}${typeof type === 'string' ? ` (function_type ${JSON.stringify(type)})` : ''}`);
  } else if (fn instanceof JObject) {
    const c = fn.get('class_name');
    const m = fn.get('module');
    const n = fn.get('config');
    if (c === '__lambda__') parts.push('a `__lambda__` (marshalled bytecode)');
    else parts.push(`function reference ${JSON.stringify(`${typeof m === 'string' ? `${m}.` : ''}${typeof n === 'string' ? n : typeof c === 'string' ? c : '?'}`.slice(0, 200))}`);
  }
  if (args instanceof JObject && args.size > 0) parts.push(`with arguments ${args.keys.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}`);
  const os = cfg.get('output_shape_type');
  if (os === 'lambda') parts.push('and a lambda output_shape');
  return parts.length > 0 ? ` (${parts.join(' ')})` : '';
}

/** A short display value of a JSON scalar. */
export function scalarText(v: JNode | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof JNum) return v.text;
  if (typeof v === 'boolean') return String(v);
  return undefined;
}
