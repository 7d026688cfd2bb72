import type { Range } from '../../engine/types';

/**
 * What the front-end knows statically about a Python expression. Anything it cannot
 * determine is `unknown`: values are never guessed.
 */
export type PyValue =
  | { kind: 'bool'; value: boolean; origin?: ValueOrigin }
  | { kind: 'none'; origin?: ValueOrigin }
  | { kind: 'number'; value: number; origin?: ValueOrigin }
  | { kind: 'string'; value: string; origin?: ValueOrigin }
  /** An f-string; `prefix` is its literal text before the first interpolation. */
  | { kind: 'fstring'; prefix: string; origin?: ValueOrigin }
  /** A filesystem path object or a path built with os.path (a local path, never a Hub id). */
  | { kind: 'path'; origin?: ValueOrigin }
  /** A reference to an imported module, class or function. */
  | { kind: 'qname'; qname: string; origin?: ValueOrigin }
  /** A class defined in this file, with the qualified names of its (transitive) imported bases. */
  | { kind: 'local-class'; name: string; bases: string[]; origin?: ValueOrigin }
  /** The result of calling `callee` (an instance when `callee` is a class). */
  | { kind: 'call'; callee: string; origin?: ValueOrigin; /** For `open(...)`: the file argument. */ file?: PyValue }
  | { kind: 'dict'; entries: Map<string, PyValue>; complete: boolean; origin?: ValueOrigin }
  | { kind: 'list'; items: PyValue[]; origin?: ValueOrigin }
  | { kind: 'unknown'; origin?: ValueOrigin };

/** Where a resolved value came from, for messages ("argparse default of --trust-remote-code"). */
export interface ValueOrigin {
  kind: 'literal' | 'constant' | 'parameter-default' | 'argparse-default' | 'keyword-dict';
  /** The name of the constant, parameter or option. */
  name?: string;
  /** Where the value was defined. */
  range?: Range;
}

export const UNKNOWN: PyValue = { kind: 'unknown' };

export function isTrue(v: PyValue | undefined): boolean {
  return !!v && v.kind === 'bool' && v.value;
}

export function isFalse(v: PyValue | undefined): boolean {
  return !!v && v.kind === 'bool' && !v.value;
}

/** A truthy value known statically (True, non-zero numbers, non-empty strings). */
export function isTruthy(v: PyValue | undefined): boolean {
  if (!v) return false;
  switch (v.kind) {
    case 'bool':
      return v.value;
    case 'number':
      return v.value !== 0;
    case 'string':
      return v.value.length > 0;
    default:
      return false;
  }
}

export function stringValue(v: PyValue | undefined): string | undefined {
  return v && v.kind === 'string' ? v.value : undefined;
}

/** A description of the origin suitable for a message, e.g. "(the default of parameter `trust`)". */
export function describeOrigin(v: PyValue | undefined): string {
  const o = v?.origin;
  if (!o || o.kind === 'literal') return '';
  switch (o.kind) {
    case 'constant':
      return ` (via constant \`${o.name}\`)`;
    case 'parameter-default':
      return ` (the default of parameter \`${o.name}\`)`;
    case 'argparse-default':
      return ` (the argparse default of \`${o.name}\`)`;
    case 'keyword-dict':
      return ' (inside a keyword-argument dict)';
  }
}

export function sameValue(a: PyValue, b: PyValue): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'bool':
    case 'number':
    case 'string':
      return a.value === (b as typeof a).value;
    case 'none':
    case 'path':
      return true;
    case 'qname':
      return a.qname === (b as typeof a).qname;
    case 'fstring':
      return a.prefix === (b as typeof a).prefix;
    default:
      return false;
  }
}
