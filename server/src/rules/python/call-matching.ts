import type { Finding, Fix, Range, Severity } from '../../engine/types';
import type { RuleMeta } from '../../engine/rule';
import type { ArgFact, CallFact, PythonFacts } from '../../languages/python/facts';
import type { PyValue } from '../../languages/python/values';

/** Re-exported from the neutral module so existing Python rules keep their import. */
export { CATALOG_SEVERITY } from '../severity';

/** Calls whose resolved qualified name is one of `qnames`. */
export function callsTo(facts: PythonFacts, qnames: ReadonlySet<string>): CallFact[] {
  return facts.calls.filter((c) => c.qname !== undefined && qnames.has(c.qname));
}

/** The argument passed by keyword `name`, or positionally at `index` (when the signature allows it). */
export function argument(call: CallFact, name: string, index?: number): ArgFact | undefined {
  return call.keywords.get(name) ?? (index !== undefined ? call.positional[index] : undefined);
}

export function finding(meta: RuleMeta, range: Range, severity: Severity, message: string, fixes?: Fix[]): Finding {
  return { ruleId: meta.id, severity, message, range, ...(fixes && fixes.length ? { fixes } : {}) };
}

export function replaceFix(title: string, range: Range, newText: string, safe: boolean, preferred = true): Fix {
  return { title, edits: [{ range, newText }], safe, preferred };
}

/** A value is a 40-character lowercase hex commit (huggingface_hub's REGEX_COMMIT_HASH). */
export function isCommitHash(s: string): boolean {
  return /^[0-9a-f]{40}$/.test(s);
}

/** Short or upper-case hex that some scanners accept but the Hub does not treat as a commit. */
export function isShortHex(s: string): boolean {
  return /^[0-9a-fA-F]{7,40}$/.test(s) && !isCommitHash(s);
}

/** A literal that is a local filesystem path rather than a Hub repository id. */
export function isLocalPathLiteral(s: string): boolean {
  return /^(\/|\.\.?([\\/]|$)|~|[A-Za-z]:[\\/]|\\\\|file:)/.test(s);
}

/** Something a Hub repo id can look like: `name` or `org/name` with the Hub's allowed characters. */
export function looksLikeHubId(s: string): boolean {
  return /^[A-Za-z0-9][\w.-]{0,95}(\/[A-Za-z0-9][\w.-]{0,95})?$/.test(s) && !/\.(pt|pth|bin|ckpt|safetensors|pkl|json|ya?ml|txt|onnx|gguf|h5|keras)$/i.test(s);
}

/** Module prefixes of the Hugging Face ecosystem whose loaders download from the Hub. */
export const HF_ECOSYSTEM = ['transformers', 'diffusers', 'peft', 'sentence_transformers', 'optimum', 'huggingface_hub', 'setfit', 'accelerate', 'timm', 'open_clip', 'span_marker', 'gliner', 'lerobot', 'trl',
  'tokenizers', 'unsloth', 'auto_gptq', 'gptqmodel', 'awq', 'ctransformers', 'llama_cpp', 'colpali_engine'];

export function inModule(qname: string | undefined, modules: readonly string[]): boolean {
  return !!qname && modules.some((m) => qname === m || qname.startsWith(`${m}.`));
}

/** Whether the file imports any module of the given list (used when a receiver cannot be resolved). */
const importsCache = new WeakMap<PythonFacts, Map<string, boolean>>();
const importPatterns = new Map<string, RegExp>();

/** Whether the file imports any module of the given list (used when a receiver cannot be resolved); answered once per file and list. */
export function fileImportsAny(facts: PythonFacts, modules: readonly string[]): boolean {
  let perFile = importsCache.get(facts);
  if (!perFile) importsCache.set(facts, (perFile = new Map()));
  const key = modules.join('|');
  let answer = perFile.get(key);
  if (answer === undefined) {
    let pattern = importPatterns.get(key);
    if (!pattern) importPatterns.set(key, (pattern = new RegExp(`^\\s*(from|import)\\s+(${modules.map((m) => m.replace(/\./g, '\\.')).join('|')})\\b`, 'm')));
    answer = pattern.test(facts.text) || facts.calls.some((c) => inModule(c.qname, modules) || c.receiverTypes.some((t) => inModule(t, modules)));
    perFile.set(key, answer);
  }
  return answer;
}

/** `from_pretrained`-style call on a class of the given modules, a local subclass of one, or an unresolved receiver in a file that uses them. */
export function isEcosystemMethod(facts: PythonFacts, call: CallFact, method: string, modules: readonly string[] = HF_ECOSYSTEM): boolean {
  if (call.methodName !== method) return false;
  if (call.receiverTypes.some((t) => inModule(t, modules))) return true;
  // A class imported from the project itself (`from .modeling import MyModel`) is treated like an unresolved receiver.
  const projectLocal = call.receiver?.kind === 'qname' && call.receiver.qname.startsWith('.');
  if (call.receiver && call.receiver.kind !== 'unknown' && !projectLocal) return false;
  return fileImportsAny(facts, modules);
}

export function valueText(v: PyValue): string {
  switch (v.kind) {
    case 'string':
      return JSON.stringify(v.value);
    case 'bool':
      return v.value ? 'True' : 'False';
    default:
      return v.kind;
  }
}

/**
 * A cheap textual pre-check before evaluating a call's arguments: whether the argument list can
 * hold one of `keywords`, written out or hidden in `**kwargs` / a `*_kwargs=` dict.
 */
export function mayPassKeyword(call: CallFact, keywords: readonly string[]): boolean {
  const text = call.argumentsText;
  return text.includes('**') || text.includes('_kwargs') || keywords.some((k) => text.includes(k));
}
