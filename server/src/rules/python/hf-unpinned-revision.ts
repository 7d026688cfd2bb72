import picomatch from 'picomatch';
import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import type { CallFact, PythonFacts } from '../../languages/python/facts';
import { stringValue, type PyValue } from '../../languages/python/values';
import { CATALOG_SEVERITY, finding, replaceFix } from './call-matching';
import { hubLoads, type HubLoad } from './hub-loads';

const meta: RuleMeta = {
  id: 'hf-unpinned-revision',
  title: 'Hugging Face download not pinned to a commit',
  summary: 'A model, dataset or file is fetched from the Hugging Face Hub without revision= set to a 40-hex commit, so whatever the repository holds at run time is loaded.',
  group: 'python',
  defaultSeverity: 'warning',
  fixable: 'always',
  catalog: ['PY202'],
  references: [
    { title: 'huggingface_hub: revision and commit hashes', url: 'https://huggingface.co/docs/huggingface_hub/guides/download' },
    { title: 'CWE-494: Download of Code Without Integrity Check', url: 'https://cwe.mitre.org/data/definitions/494.html' },
  ],
};

/** `hf://[datasets/|spaces/]org/name[@rev]/path` as understood by huggingface_hub's HfFileSystem. */
const HF_URI = /^hf:\/\/(?:(datasets|spaces)\/)?([\w.-]+(?:\/[\w.-]+)?)(?:@([^/]+))?(?:\/|$)/;

/** String values of an argument, including those inside list and dict literals (`data_files={"train": "hf://…"}`). */
function stringsIn(v: PyValue, depth = 0): string[] {
  if (v.kind === 'string') return [v.value];
  if (depth > 2) return [];
  if (v.kind === 'list') return v.items.flatMap((i) => stringsIn(i, depth + 1));
  if (v.kind === 'dict') return [...v.entries.values()].flatMap((i) => stringsIn(i, depth + 1));
  return [];
}

/** The first `hf://` URI in a string (also inside SQL such as `FROM 'hf://datasets/…'`) that is not pinned to a commit. */
function unpinnedHfUri(s: string): { uri: string; prefix: string; repo: string; ref?: string } | undefined {
  if (!s.includes('hf://')) return undefined;
  for (const hit of s.matchAll(/(?:^|[\s'"`(,=])(hf:\/\/[^\s'"`),]+)/g)) {
    const m = HF_URI.exec(hit[1]);
    if (!m) continue;
    let ref: string | undefined;
    try {
      ref = m[3] !== undefined ? decodeURIComponent(m[3]) : undefined;
    } catch {
      ref = m[3];
    }
    if (ref !== undefined && /^[0-9a-f]{40}$/.test(ref)) continue;
    return { uri: hit[1], prefix: m[1] ? `${m[1]}/` : '', repo: m[2], ref };
  }
  return undefined;
}

/** Calls that only print, log or describe a URI (or declare an option whose default the reading call reports). */
const MENTION_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log', 'echo', 'secho', 'write', 'add_argument', 'startswith', 'endswith', 'replace', 'split', 'format']);
function mentionsOnly(call: CallFact): boolean {
  return call.qname === 'print' || call.qname === 'warnings.warn' || (!!call.methodName && MENTION_METHODS.has(call.methodName));
}

export const hfUnpinnedRevision = defineRule({
  meta,
  triggers: ['from_pretrained', 'hf_hub_download', 'snapshot_download', 'load_dataset', 'pipeline', 'SentenceTransformer', 'CrossEncoder', 'hf://', 'from_pretrained_keras', 'hf-hub:', 'hf_hub:', 'load_lora_weights', 'load_attn_procs', 'load_textual_inversion', 'load_ip_adapter', 'load_lora_adapter', 'load_adapter'],
  check: {
    python(facts, ctx) {
      const out: Finding[] = [];
      const trusted = ctx.options.trustedRepos.length ? picomatch(ctx.options.trustedRepos, { nocase: true }) : () => false;
      for (const load of hubLoads(facts, ctx)) {
        if (load.local || load.offline || !load.repoId || trusted(load.repoId)) continue;
        if (load.pin === 'commit' || load.pin === 'unknown') continue;
        out.push(report(facts, ctx, load));
      }
      // hf:// URIs are strings: files that never spell one need no argument evaluation at all.
      const hasHfUris = facts.text.includes('hf://');
      for (const call of hasHfUris ? facts.calls : []) {
        if (mentionsOnly(call)) continue;
        for (const arg of call.positional.concat([...call.keywords.values()])) {
          for (const s of stringsIn(arg.value)) {
            const m = unpinnedHfUri(s);
            if (!m || trusted(m.repo)) continue;
            const where = m.ref !== undefined ? `at \`@${m.ref}\`, a branch or tag rather than a commit` : 'without an @<commit> revision';
            out.push(finding(meta, arg.range, CATALOG_SEVERITY.medium,
              `\`${m.uri}\` reads from the Hugging Face Hub ${where}, so the content can change under you; pin it as hf://${m.prefix}${m.repo}@<40-hex commit>/….`));
            break;
          }
        }
      }
      return out;
    },
  },
});

function report(facts: PythonFacts, ctx: RuleContext, load: HubLoad): Finding {
  const what = `\`${load.call.calleeText}\` downloads \`${load.repoId}\``;
  const fixes = pinFixes(facts, ctx, load);
  if (load.revisionInId) {
    const how = `pin it as "${idPrefix(load)}${load.repoId}@<40-hex commit>"`;
    const detail = load.pin === 'absent' ? 'without an @<revision>, so whatever the repository holds at run time is loaded'
      : load.pin === 'short-hex' ? `at \`${load.revision}\`, which the Hub resolves as a branch or tag name, not a commit`
        : `at \`${load.revision}\`, a branch or tag that can be moved to different files`;
    return finding(meta, load.repoArg!.range, load.pin === 'short-hex' ? CATALOG_SEVERITY.low : CATALOG_SEVERITY.medium, `${what} ${detail}; ${how}.`, fixes);
  }
  if (load.pin === 'short-hex' && load.revision!.length === 40) {
    return finding(meta, load.revisionArg!.range, CATALOG_SEVERITY.low,
      `${what} at \`${load.revision}\`, an upper-case hash that huggingface_hub does not recognise as a commit (it expects 40 lower-case hex characters) and so handles like a branch or tag name; write the commit hash in lower case.`,
      load.revisionArg!.value.origin?.kind === 'literal' && !load.revisionArg!.fromSplat
        ? [replaceFix('Write the commit hash in lower case', load.revisionArg!.range, JSON.stringify(load.revision!.toLowerCase()), true)]
        : fixes);
  }
  if (load.pin === 'short-hex') {
    return finding(meta, load.revisionArg!.range, CATALOG_SEVERITY.low,
      `${what} at the short hash \`${load.revision}\`, which the Hub resolves as a branch or tag name, not a commit; use the full 40-character commit hash.`, fixes);
  }
  if (load.pin === 'ref') {
    return finding(meta, load.revisionArg!.range, CATALOG_SEVERITY.medium,
      `${what} at \`${load.revision}\`, a branch or tag that can be moved to different files; pin revision= to a 40-hex commit.`, fixes);
  }
  return finding(meta, load.call.range, CATALOG_SEVERITY.medium,
    `${what} without revision=, so whatever the repository holds at run time is loaded; pin revision= to a 40-hex commit.`, fixes);
}

/** `hf-hub:` / `hf_hub:` as written in a timm model name. */
function idPrefix(load: HubLoad): string {
  return /^hf[-_]hub:/.exec(stringValue(load.repoArg?.value) ?? '')?.[0] ?? 'hf-hub:';
}

/**
 * Pin to the commit the local Hugging Face cache already resolved the reference to, when it knows
 * one (a safe fix: it keeps what runs today); otherwise insert a placeholder the user fills in.
 */
export function pinFixes(facts: PythonFacts, ctx: RuleContext, load: HubLoad): Fix[] {
  if (!load.repoId) return [];
  const ref = load.revision ?? 'main';
  const cached = ctx.workspace.hfCacheCommit(load.repoType, load.repoId, ref);
  const call: CallFact = load.call;
  if (load.revisionInId) {
    const arg = load.repoArg;
    if (!arg || arg.fromSplat || arg.value.origin?.kind !== 'literal') return [];
    const base = `${idPrefix(load)}${load.repoId}@`;
    return cached
      ? [replaceFix(`Pin to ${cached.slice(0, 12)}… (from the local Hugging Face cache)`, arg.range, JSON.stringify(base + cached), true)]
      : [{ title: 'Pin to a commit (fill in the hash)', edits: [{ range: arg.range, newText: `"${base}\${1:<40-hex commit>}"` }], safe: false, preferred: true, snippet: true }];
  }
  if (load.revisionArg) {
    if (load.revisionArg.fromSplat) return [];
    return cached
      ? [replaceFix(`Pin revision to ${cached.slice(0, 12)}… (from the local Hugging Face cache)`, load.revisionArg.range, JSON.stringify(cached), true)]
      : [{ title: 'Pin revision to a commit (fill in the hash)', edits: [{ range: load.revisionArg.range, newText: '"${1:<40-hex commit>}"' }], safe: false, preferred: true, snippet: true }];
  }
  if (call.hasOpaqueSplat) return [];
  return cached
    ? [{ title: `Pin revision to ${cached.slice(0, 12)}… (from the local Hugging Face cache)`, edits: [facts.appendArgumentEdit(call, `revision=${JSON.stringify(cached)}`)], safe: true, preferred: true }]
    : [{ title: 'Pin revision to a commit (fill in the hash)', edits: [facts.appendArgumentEdit(call, 'revision="${1:<40-hex commit>}"')], safe: false, preferred: true, snippet: true }];
}
