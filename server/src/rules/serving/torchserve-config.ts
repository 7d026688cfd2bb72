/**
 * TorchServe configuration as the serving rules read it: `config.properties` files, the same
 * text in ConfigMaps, `TS_*` environment variables (read when `enable_envvars_config=true`) and
 * `torchserve` command-line flags.
 */
import type { Position, Range, TextEdit } from '../../engine/types';
import type { EnvVar, InvocationContext, ServingFacts } from '../../invocations/types';
import type { PropertiesFacts, PropertiesSource } from '../../languages/properties/facts';
import { embeddedPropertiesSources } from '../../languages/properties/facts';
import type { PropertyEntry, PropertiesDocument } from '../../languages/properties/parser';
import { propertyValue } from '../../languages/properties/parser';

export function sourcesOf(facts: PropertiesFacts | ServingFacts): PropertiesSource[] {
  if ('sources' in facts) return facts.sources;
  return facts.configProperties?.length ? embeddedPropertiesSources(facts.configProperties) : [];
}

/** Java's Boolean.parseBoolean, which TorchServe uses: only "true" (any case) is true. */
export function javaTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

/** The TS_* environment variable TorchServe maps a config key to. */
export function envNameOf(key: string): string {
  return `TS_${key.toUpperCase()}`;
}

export interface EnvUse { env: EnvVar; context: InvocationContext }

/** Every environment definition of a file once (scopes and invocations may repeat a definition). */
export function allEnv(facts: ServingFacts): EnvUse[] {
  const seen = new Set<string>();
  const out: EnvUse[] = [];
  const add = (env: EnvVar, context: InvocationContext) => {
    const k = `${env.name}@${env.range.start.line}:${env.range.start.character}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ env, context });
  };
  for (const scope of facts.environments) for (const e of scope.env) add(e, scope.context);
  for (const inv of facts.invocations) for (const e of inv.env) add(e, inv.context);
  return out.filter((u) => u.env.origin !== 'dockerfile-arg');
}

/** Where a finding about an env definition points: its value when written literally, else the definition. */
export function envRange(e: EnvVar): Range {
  return e.valueRange ?? e.nameRange ?? e.range;
}

/** Range inside an entry's value of the raw characters [from, to) (raw = as written in the document). */
export function rawValueRange(doc: PropertiesDocument, entry: PropertyEntry, from: number, to: number): Range {
  return { start: doc.positionAt(entry.valueStart + from), end: doc.positionAt(entry.valueStart + to) };
}

export function rawValue(doc: PropertiesDocument, entry: PropertyEntry): string {
  return doc.text.slice(entry.valueStart, entry.valueEnd);
}

/** An edit replacing an entry's whole value. */
export function replaceEntryValue(entry: PropertyEntry, text: string): TextEdit {
  return { range: entry.valueRange, newText: text };
}

/** Insert a new `key=value` line right after an entry (file sources only: ConfigMap text is indented YAML). */
export function insertAfterEntry(source: PropertiesSource, entry: PropertyEntry, line: string): TextEdit | undefined {
  if (source.origin !== 'file') {
    const at: Position = source.doc.positionAt(entry.lineEnd);
    const lineStart: Position = source.doc.positionAt(entry.lineStart);
    return { range: { start: at, end: at }, newText: `\n${' '.repeat(lineStart.character)}${line}` };
  }
  const at = source.doc.positionAt(entry.lineEnd);
  return { range: { start: at, end: at }, newText: `\n${line}` };
}

export { propertyValue };

/**
 * Whether an `allowed_urls` value lets a model be registered from any host: a pattern whose host
 * part is a wildcard (`http(s)?://.*`, `https://.+`, `.*`) or a `file://` pattern (any local file).
 */
export function allowsAnyHost(allowed: string): boolean {
  for (const raw of allowed.split(/[,|]/)) {
    const p = raw.trim().replace(/^\^/, '');
    if (p === '') continue;
    if (p === '.*' || p === '.+') return true;
    const i = p.indexOf('://');
    if (i < 0) continue;
    if (/^file/i.test(p)) {
      if (/^file:\/\/\/?(\.[*+]|$)/i.test(p)) return true; // any local file
      continue;
    }
    const host = p.slice(i + 3).split(/(?<!\\)\//)[0];
    // Any wildcard in the host (`.*`, `.+`, `\S*`, `[^/]*`) admits hosts the operator does not control.
    if (host === '' || /\.[*+]|\\S[*+]|\[\^[^\]]*\][*+]/.test(host)) return true;
  }
  return false;
}
