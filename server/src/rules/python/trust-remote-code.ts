import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import { describeOrigin, isTrue, isTruthy, stringValue, type PyValue } from '../../languages/python/values';
import type { ArgFact, CallFact } from '../../languages/python/facts';
import { argument, CATALOG_SEVERITY, finding, inModule, isCommitHash, isLocalPathLiteral, replaceFix, valueText, mayPassKeyword } from './call-matching';
import { envSettings, hubLoads } from './hub-loads';
import { pinFixes } from './hf-unpinned-revision';

const meta: RuleMeta = {
  id: 'trust-remote-code',
  title: 'Loader told to run model or dataset code from the Hub',
  summary: 'trust_remote_code=True (or diffusers custom_pipeline, or HF_DATASETS_TRUST_REMOTE_CODE) makes the loader import and run Python code shipped in a Hub repository.',
  group: 'python',
  defaultSeverity: 'error',
  fixable: 'sometimes',
  catalog: ['PY201', 'PY205', 'PY206', 'PY207'],
  references: [
    { title: 'transformers: custom models and trust_remote_code', url: 'https://huggingface.co/docs/transformers/custom_models' },
    { title: 'transformers SECURITY.md', url: 'https://github.com/huggingface/transformers/blob/main/SECURITY.md' },
    { title: 'CWE-94: Code Injection', url: 'https://cwe.mitre.org/data/definitions/94.html' },
  ],
};

const ENV_SWITCHES: Record<string, 'high' | 'info'> = { HF_DATASETS_TRUST_REMOTE_CODE: 'high', TRANSFORMERS_TRUST_REMOTE_CODE: 'info' };

function truthyEnv(v: PyValue): boolean {
  const s = stringValue(v);
  return s !== undefined ? /^(1|y|yes|true|on)$/i.test(s.trim()) : isTrue(v) || (v.kind === 'number' && v.value === 1);
}

/**
 * `pipeline(..., model_kwargs={"trust_remote_code": True})`, SentenceTransformer `model_kwargs=` /
 * `tokenizer_kwargs=` / `config_kwargs=`: the flag is forwarded to the underlying from_pretrained.
 */
function nestedKwargsTrust(call: CallFact): ArgFact | undefined {
  for (const [name, arg] of call.keywords) {
    if (!name.endsWith('_kwargs') || arg.value.kind !== 'dict') continue;
    const v = arg.value.entries.get('trust_remote_code');
    if (v && isTruthy(v)) return { ...arg, value: { ...v, origin: { kind: 'keyword-dict' } }, fromSplat: true };
  }
  return undefined;
}

export const trustRemoteCode = defineRule({
  meta,
  triggers: ['trust_remote_code', 'custom_pipeline', '_TRUST_REMOTE_CODE'],
  check: {
    python(facts, ctx) {
      const out: Finding[] = [];
      const loads = new Map(hubLoads(facts, ctx).map((l) => [l.call, l]));
      for (const call of facts.calls) {
        // `dict(trust_remote_code=True)` builds keyword arguments: the call they are spread into reports them.
        if (call.qname === 'dict' || !mayPassKeyword(call, ['trust_remote_code', 'custom_pipeline'])) continue;
        const trc = call.keywords.get('trust_remote_code') ?? nestedKwargsTrust(call);
        // Any truthy value trusts: transformers tests `if not trust_remote_code`, so even the string "False" does.
        if (trc && isTruthy(trc.value)) {
          const load = loads.get(call);
          const pinned = load ? load.pin === 'commit' : ['revision', 'code_revision'].some((k) => isCommitHash(stringValue(call.keywords.get(k)?.value) ?? ''));
          const revisionText = load?.revision ?? stringValue(call.keywords.get('code_revision')?.value) ?? stringValue(call.keywords.get('revision')?.value) ?? '';
          const local = load?.local ?? false;
          const subject = load?.repoId ? `code from \`${load.repoId}\`` : 'code shipped with the model or dataset';
          const fixes: Fix[] = load && !pinned && load.pin !== 'unknown' && load.repoId
            ? pinFixes(facts, ctx, load).map((f) => ({ ...f, title: `${f.title}, keeping trust_remote_code` }))
            : [];
          if (!trc.fromSplat && trc.value.origin?.kind === 'literal') fixes.push(replaceFix('Set trust_remote_code=False (the model may then fail to load)', trc.range, 'False', false, fixes.length === 0));
          const severity = local ? CATALOG_SEVERITY.medium : CATALOG_SEVERITY.high;
          const advice = local
            ? 'review the Python files in that directory before running it.'
            : pinned
              ? `the code is pinned at ${revisionText.slice(0, 12)}…; review that commit's Python files, and re-review on every bump.`
              : load?.pin === 'unknown'
                ? 'review the repository\'s Python files and make sure revision= always receives the reviewed 40-hex commit, or load a model that needs no custom code.'
                : 'review the repository\'s Python files and pin revision= to the reviewed 40-hex commit, or load a model that needs no custom code.';
          out.push(finding(meta, trc.itemRange, severity,
            `\`${call.calleeText}\` with trust_remote_code=${trc.value.kind === 'number' ? String(trc.value.value) : valueText(trc.value)}${describeOrigin(trc.value)}${trc.value.kind === 'string' ? ' (any non-empty string counts as True)' : ''} runs ${subject} in this process; ${advice}`, fixes));
        }
        const custom = call.keywords.get('custom_pipeline');
        const customName = custom ? stringValue(custom.value) : undefined;
        if (custom && customName && (inModule(call.qname, ['diffusers']) || call.receiverTypes.some((t) => inModule(t, ['diffusers']))) && !isLocalPathLiteral(customName) && !customName.endsWith('.py') && !ctx.workspace.isDirectory(customName, ctx.uri)) {
          const rev = argument(call, 'custom_revision');
          if (!rev || !/^[0-9a-f]{40}$/.test(stringValue(rev.value) ?? '')) {
            out.push(finding(meta, custom.itemRange, CATALOG_SEVERITY.high,
              `\`${call.calleeText}\` with custom_pipeline="${customName}" downloads and runs pipeline code from the Hub; use a reviewed local pipeline file, or pin custom_revision= to a reviewed commit.`));
          }
        }
      }
      for (const e of envSettings(facts)) {
        const level = ENV_SWITCHES[e.name];
        if (!level || !truthyEnv(e.value)) continue;
        out.push(finding(meta, e.range, level === 'high' ? CATALOG_SEVERITY.high : CATALOG_SEVERITY.info,
          level === 'high'
            ? `${e.name} makes datasets run loading scripts from the Hub for every load_dataset call; remove it and use datasets that ship data files (datasets 4 no longer runs scripts).`
            : `${e.name} signals intent to run remote model code; prefer passing trust_remote_code=True only to the reviewed, pinned loads that need it.`));
      }
      return out;
    },
    // HF_DATASETS_TRUST_REMOTE_CODE / TRANSFORMERS_TRUST_REMOTE_CODE in Dockerfile ENV, k8s env, compose environment, shell exports.
    serving(facts) {
      const out: Finding[] = [];
      for (const scope of facts.environments) {
        for (const e of scope.env) {
          const level = ENV_SWITCHES[e.name];
          if (!level || e.origin === 'python-environ' || e.origin === 'dockerfile-arg' || e.value === undefined || !/^(1|y|yes|true|on)$/i.test(e.value.trim())) continue;
          out.push(finding(meta, e.nameRange ?? e.range, level === 'high' ? CATALOG_SEVERITY.high : CATALOG_SEVERITY.info,
            level === 'high'
              ? `${e.name} makes datasets run loading scripts from the Hub for every load_dataset call in this container; remove it and use datasets that ship data files (datasets 4 no longer runs scripts).`
              : `${e.name} signals intent to run remote model code; prefer passing trust_remote_code=True only to the reviewed, pinned loads that need it.`));
        }
      }
      return out;
    },
  },
});
