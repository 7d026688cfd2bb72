/**
 * The serving rules' view of an Invocation: which model server it starts, its flags, values and
 * environment. A thin layer over the argv grammars of `invocations/programs/` (parseServingCommand)
 * with the few helpers the rules share.
 */
import type { Range } from '../../engine/types';
import type { ArgItem, EnvVar, Invocation } from '../../invocations/types';
import { boolValue, parseServingCommand, type FlagUse, type ServingCommand } from '../../invocations/programs/index';

export { boolValue, type FlagUse, type ServingCommand };

/** The model server an invocation starts (`hf download` is not a server and is left to other rules). */
export function servingCommand(inv: Invocation): ServingCommand | undefined {
  const cmd = parseServingCommand(inv);
  return cmd && cmd.program !== 'hf-download' ? cmd : undefined;
}

/** The use that takes effect among several spellings of a flag: the last one written. */
export function flag(cmd: ServingCommand, ...names: string[]): FlagUse | undefined {
  let best: FlagUse | undefined;
  for (const n of names) {
    const use = cmd.flag(n);
    if (use && (!best || use.index > best.index)) best = use;
  }
  return best;
}

/** Every use of the flags, in order. */
export function flagsNamed(cmd: ServingCommand, ...names: string[]): FlagUse[] {
  const seen = new Set<FlagUse>();
  for (const n of names) for (const use of cmd.all(n)) seen.add(use);
  return [...seen].sort((a, b) => a.index - b.index);
}

/** The range a finding about a flag points at: its value when located, else the flag item. */
export function flagRange(use: FlagUse): Range {
  return use.valueRange ?? use.item.range;
}

/** The range of the characters [from, to) of an item's value, when it can be located exactly. */
export function itemSubRange(item: ArgItem, from: number, to: number): Range | undefined {
  if (item.subRange) return item.subRange(from, to);
  const r = item.range;
  const verbatim = item.verbatim ?? (r.start.line === r.end.line && r.end.character - r.start.character === item.value.length);
  if (!verbatim || r.start.line !== r.end.line) return undefined;
  return { start: { line: r.start.line, character: r.start.character + from }, end: { line: r.start.line, character: r.start.character + to } };
}

/** Whether an env var holds a truthy literal. */
export function envTruthy(e: EnvVar | undefined): boolean {
  return !!e && boolValue(e.value) === true;
}

/** Whether an address binds every interface. */
export function isAnyAddress(host: string): boolean {
  const h = host.trim().replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::' || h === '' || h === '0:0:0:0:0:0:0:0' || h === '*';
}

export function isLoopback(host: string): boolean {
  const h = host.trim().replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
