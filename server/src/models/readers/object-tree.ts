/**
 * Walks the symbolic object a pickle stream returns, giving each node a dotted key path (the way
 * state-dict keys read: "encoder.layer.0.weight"). Used to name tensors and arrays.
 */
import { describe, type PValue } from '../pickle/values';

export type Visit = (path: string[], value: PValue) => 'stop' | void;

/** nn.Module attribute dicts whose names are dropped from paths (torch.save(model) → "fc.weight"). */
const MODULE_ATTR_DICTS = new Set(['_parameters', '_buffers', '_modules']);

function keyName(k: PValue, index: number): string {
  if (k.t === 'str') return k.v;
  if (k.t === 'int') return k.big ?? String(k.v);
  if (k.t === 'bool' || k.t === 'none' || k.t === 'float') return describe(k);
  return `<key ${index}>`;
}

/**
 * Depth-first walk with cycle protection (ancestors only: a value reached twice under two names is
 * visited twice, like tied weights), bounded in depth and total nodes.
 */
export function walkObject(root: PValue, visit: Visit, maxDepth = 64, maxNodes = 1_000_000): void {
  let nodes = 0;
  const ancestors = new Set<PValue>();
  // `depth` counts every level (also those that add no path segment), so hostile chains of
  // 100,000 nested calls cannot exhaust the JS stack
  const go = (v: PValue, path: string[], underModule: boolean, depth: number): void => {
    if (nodes++ > maxNodes || path.length > maxDepth || depth > maxDepth * 4 || ancestors.has(v)) return;
    if (visit(path, v) === 'stop') return;
    const child = (x: PValue, seg: string | undefined, mod = false) => go(x, seg === undefined ? path : [...path, seg], mod, depth + 1);
    ancestors.add(v);
    switch (v.t) {
      case 'dict':
        v.entries.forEach(([k, x], i) => {
          const name = keyName(k, i);
          child(x, underModule && MODULE_ATTR_DICTS.has(name) ? undefined : name);
        });
        break;
      case 'list':
      case 'tuple':
      case 'set':
        v.items.forEach((x, i) => child(x, String(i)));
        break;
      case 'call': {
        v.entries?.forEach(([k, x], i) => child(x, keyName(k, i)));
        v.items?.forEach((x, i) => child(x, String(i)));
        const st = v.state;
        if (st) {
          // BUILD state: an attribute dict, or (dict, slotstate)
          if (st.t === 'dict') st.entries.forEach(([k, x], i) => {
            const name = keyName(k, i);
            child(x, MODULE_ATTR_DICTS.has(name) ? undefined : name, true);
          });
          else if (st.t === 'tuple') st.items.forEach((x) => child(x, undefined, true));
        }
        if (v.args.t === 'tuple' || v.args.t === 'list') v.args.items.forEach((x) => child(x, undefined));
        break;
      }
      default:
        break;
    }
    ancestors.delete(v);
  };
  go(root, [], false, 0);
}
