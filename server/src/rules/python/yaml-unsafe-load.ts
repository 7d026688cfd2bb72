import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import type { CallFact } from '../../languages/python/facts';
import { stringValue, type PyValue } from '../../languages/python/values';
import { argument, CATALOG_SEVERITY, finding, replaceFix } from './call-matching';

const MODULE_PREFIXES = ['yaml.', 'yaml.loader.', 'yaml.cyaml.', 'ruamel.yaml.', 'ruamel.yaml.main.', 'ruamel.yaml.loader.', 'ruamel.yaml.cyaml.'];
const SAFE_LOADERS = new Set(['SafeLoader', 'CSafeLoader', 'BaseLoader', 'CBaseLoader', 'RoundTripLoader']);
const DANGEROUS_LOADERS = new Set(['Loader', 'UnsafeLoader', 'CLoader', 'CUnsafeLoader']);
const FULL_LOADERS = new Set(['FullLoader', 'CFullLoader']);

const meta: RuleMeta = {
  id: 'yaml-unsafe-load',
  title: 'YAML load that can construct arbitrary Python objects',
  summary: 'yaml.load without a safe Loader, yaml.unsafe_load/full_load, or ruamel YAML(typ="unsafe") can instantiate arbitrary Python objects from the document.',
  group: 'python',
  defaultSeverity: 'warning',
  fixable: 'sometimes',
  catalog: ['PY120'],
  references: [
    { title: 'PyYAML: yaml.load(input) deprecation', url: 'https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation' },
    { title: 'CWE-502: Deserialization of Untrusted Data', url: 'https://cwe.mitre.org/data/definitions/502.html' },
  ],
};

/** The PyYAML loader class a qualified name designates (`yaml.loader.SafeLoader` → `SafeLoader`). */
function pyyamlName(q: string): string | undefined {
  const prefix = MODULE_PREFIXES.find((p) => q.startsWith(p) && !q.slice(p.length).includes('.'));
  return prefix ? q.slice(prefix.length) : undefined;
}

type LoaderKind = 'safe' | 'full' | 'unsafe' | 'unknown';
function classifyLoader(v: PyValue): LoaderKind {
  const names = v.kind === 'qname' ? [v.qname] : v.kind === 'local-class' ? v.bases : [];
  let kind: LoaderKind = 'unknown';
  for (const q of names) {
    const n = pyyamlName(q);
    if (!n) continue;
    if (SAFE_LOADERS.has(n)) return 'safe';
    if (DANGEROUS_LOADERS.has(n)) kind = 'unsafe';
    else if (FULL_LOADERS.has(n) && kind === 'unknown') kind = 'full';
  }
  return kind;
}

export const yamlUnsafeLoad = defineRule({
  meta,
  triggers: [['yaml', 'load'], 'YAML'],
  // Every call examined is a `…load…` function or ruamel's `YAML(…)` (not every "config.yaml" string).
  callWords: ['load', 'YAML'],
  check: {
    python(facts) {
      const out: Finding[] = [];
      for (const call of facts.calls) {
        const q = call.qname;
        if (!q) continue;
        if (q === 'ruamel.yaml.YAML' || q === 'ruamel.yaml.main.YAML') {
          const typ = argument(call, 'typ');
          if (typ && stringValue(typ.value) === 'unsafe') {
            out.push(finding(meta, typ.itemRange, CATALOG_SEVERITY.medium,
              `ruamel \`YAML(typ="unsafe")\` constructs arbitrary Python objects from the document; use typ="safe" (or the default round-trip loader).`,
              [replaceFix('Use typ="safe"', typ.range, '"safe"', true)]));
          }
          continue;
        }
        const fn = pyyamlName(q);
        if (!fn) continue;
        // ruamel.yaml's old PyYAML-style functions (removed in 0.18): the way out is YAML(typ="safe").
        const ruamel = q.startsWith('ruamel.');
        const use = (safeName: string) => (ruamel ? 'use YAML(typ="safe").load' : `use yaml.${safeName}`);
        const rename = (c: CallFact, name: string) => (ruamel ? [] : renameFix(c, name));
        if (fn === 'unsafe_load' || fn === 'unsafe_load_all') {
          out.push(finding(meta, call.range, CATALOG_SEVERITY.high,
            `\`${call.calleeText}\` constructs arbitrary Python objects, so a crafted document runs code; ${use(fn.replace('unsafe_', 'safe_'))}.`, rename(call, fn.replace('unsafe_', 'safe_'))));
        } else if (fn === 'full_load' || fn === 'full_load_all') {
          out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` uses FullLoader, which still instantiates Python classes and has had code-execution bypasses; ${use(fn.replace('full_', 'safe_'))}.`, rename(call, fn.replace('full_', 'safe_'))));
        } else if (fn === 'load' || fn === 'load_all') {
          const loader = argument(call, 'Loader', 1);
          const safeName = fn === 'load' ? 'safe_load' : 'safe_load_all';
          if (!loader) {
            if (call.hasOpaqueSplat) continue;
            out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
              `\`${call.calleeText}\` without a Loader uses an unsafe default on older ${ruamel ? 'ruamel.yaml' : 'PyYAML'} releases and fails on newer ones; ${use(safeName)}.`, rename(call, safeName)));
            continue;
          }
          const kind = classifyLoader(loader.value);
          if (kind === 'safe' || kind === 'unknown') continue;
          const fixes: Fix[] = [];
          const moduleText = /^(.*)\.(load|load_all)$/.exec(call.calleeText)?.[1];
          if (moduleText && !loader.fromSplat && !ruamel) fixes.push(replaceFix('Use Loader=yaml.SafeLoader', loader.range, `${moduleText}.SafeLoader`, true));
          out.push(finding(meta, loader.range, kind === 'unsafe' ? CATALOG_SEVERITY.high : CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` with Loader=${loader.text} constructs arbitrary Python objects from the document; ${ruamel ? use(safeName) : `use Loader=yaml.SafeLoader or yaml.${safeName}`}.`, fixes));
        }
      }
      return out;
    },
  },
});

/** Replace the function name of `yaml.xxx(...)` (attribute callees only: a bare imported name would need a new import). */
function renameFix(call: CallFact, newName: string): Fix[] {
  if (!call.methodName) return [];
  return [replaceFix(`Use ${newName}`, call.nameRange, newName, true)];
}
