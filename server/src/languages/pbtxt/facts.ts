/**
 * Facts of a Triton model configuration (`config.pbtxt`): the parsed text-format tree with exact
 * positions, syntax problems, schema problems against `ModelConfig`, and small queries the
 * `triton` rules share.
 */
import { parsePbtxt, type PbDocument, type PbField, type PbMessage, type PbProblem, type PbScalar, type PbValue } from './parser';
import { MODEL_CONFIG } from './triton-schema';
import { validateAgainst } from './validate';

export interface TritonConfigFacts {
  uri: string;
  doc: PbDocument;
  /** Syntax problems (the parser's). */
  syntaxProblems: PbProblem[];
  /** Fields and values that Triton's `ModelConfig` does not accept. */
  schemaProblems: PbProblem[];
}

export function buildTritonConfigFacts(text: string, uri: string): TritonConfigFacts {
  const doc = parsePbtxt(text);
  return { uri, doc, syntaxProblems: doc.problems, schemaProblems: validateAgainst(doc, MODEL_CONFIG) };
}

/** Fields of `msg` named `name`, in order. */
export function fieldsNamed(msg: PbMessage, name: string): PbField[] {
  return msg.fields.filter((f) => !f.extension && f.name === name);
}

/** The messages a field holds: its message value, or the message items of its list. */
export function messagesOf(field: PbField): PbMessage[] {
  const v = field.value;
  if (!v) return [];
  if (v.type === 'message') return [v];
  if (v.type === 'list') return v.items.filter((i): i is PbMessage => i.type === 'message');
  return [];
}

/** Every message held by the fields of `msg` named `name` (repeated fields written either way). */
export function childMessages(msg: PbMessage, name: string): PbMessage[] {
  return fieldsNamed(msg, name).flatMap(messagesOf);
}

/** The scalars a field holds. */
export function scalarsOf(field: PbField): PbScalar[] {
  const v = field.value;
  if (!v) return [];
  if (v.type === 'scalar') return [v];
  if (v.type === 'list') return v.items.filter((i): i is PbScalar => i.type === 'scalar');
  return [];
}

/** The value of a non-repeated scalar field (the last one written, as protobuf merges). */
export function scalarField(msg: PbMessage, name: string): { field: PbField; value: PbScalar } | undefined {
  const fields = fieldsNamed(msg, name);
  for (let i = fields.length - 1; i >= 0; i--) {
    const v = fields[i].value;
    if (v?.type === 'scalar') return { field: fields[i], value: v };
  }
  return undefined;
}

export interface MapEntry {
  field: PbField;
  entry: PbMessage;
  key?: PbScalar;
  value?: PbValue;
  valueField?: PbField;
}

/** Entries of a `map<…>` field: `name { key: … value: … }` blocks and `name [ {…}, {…} ]` lists. */
export function mapEntries(msg: PbMessage, name: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const field of fieldsNamed(msg, name)) {
    for (const entry of messagesOf(field)) {
      const key = scalarField(entry, 'key')?.value;
      const valueField = fieldsNamed(entry, 'value').pop();
      out.push({ field, entry, key, value: valueField?.value, valueField });
    }
  }
  return out;
}

/** A model parameter (`parameters { key: K value { string_value: V } }`) by key. */
export function modelParameter(root: PbMessage, key: string): { entry: MapEntry; value?: PbScalar } | undefined {
  const entries = mapEntries(root, 'parameters').filter((e) => e.key?.kind === 'string' && e.key.value === key);
  const entry = entries[entries.length - 1];
  if (!entry) return undefined;
  const value = entry.value?.type === 'message' ? scalarField(entry.value, 'string_value')?.value : undefined;
  return { entry, value };
}

/** `backend` (or the old `platform`) of a config, lower-cased, with the scalar it was read from. */
export function tritonBackend(root: PbMessage): { name: string; value: PbScalar; field: 'backend' | 'platform' } | undefined {
  const backend = scalarField(root, 'backend');
  if (backend && backend.value.kind === 'string') return { name: backend.value.value.toLowerCase(), value: backend.value, field: 'backend' };
  const platform = scalarField(root, 'platform');
  if (platform && platform.value.kind === 'string') return { name: platform.value.value.toLowerCase(), value: platform.value, field: 'platform' };
  return undefined;
}
