import picomatch from 'picomatch';
import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import type { CallFact, PythonFacts } from '../../languages/python/facts';
import { stringValue } from '../../languages/python/values';
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

export const hfUnpinnedRevision = defineRule({
  meta,
  triggers: ['from_pretrained', 'hf_hub_download', 'snapshot_download', 'load_dataset', 'pipeline', 'SentenceTransformer', 'CrossEncoder', 'hf://'],
  check: {
    python(facts, ctx) {
      const out: Finding[] = [];
      const trusted = ctx.options.trustedRepos.length ? picomatch(ctx.options.trustedRepos, { nocase: true }) : () => false;
      for (const load of hubLoads(facts, ctx)) {
        if (load.local || load.offline || !load.repoId || trusted(load.repoId)) continue;
        if (load.pin === 'commit' || load.pin === 'unknown') continue;
        out.push(report(facts, ctx, load));
      }
      for (const call of facts.calls) {
        for (const arg of call.positional.concat([...call.keywords.values()])) {
          const s = stringValue(arg.value);
          const m = s ? HF_URI.exec(s) : null;
          if (!m || (m[3] && /^[0-9a-f]{40}$/.test(decodeURIComponent(m[3])))) continue;
          if (trusted(m[2])) continue;
          out.push(finding(meta, arg.range, CATALOG_SEVERITY.medium,
            `\`${s}\` reads from the Hugging Face Hub without an @<commit> revision, so the content can change under you; pin it as hf://${m[1] ? m[1] + '/' : ''}${m[2]}@<40-hex commit>/….`));
        }
      }
      return out;
    },
  },
});

function report(facts: PythonFacts, ctx: RuleContext, load: HubLoad): Finding {
  const what = `\`${load.call.calleeText}\` downloads \`${load.repoId}\``;
  const fixes = pinFixes(facts, ctx, load);
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

/**
 * Pin to the commit the local Hugging Face cache already resolved the reference to, when it knows
 * one (a safe fix: it keeps what runs today); otherwise insert a placeholder the user fills in.
 */
export function pinFixes(facts: PythonFacts, ctx: RuleContext, load: HubLoad): Fix[] {
  if (!load.repoId) return [];
  const ref = load.revision ?? 'main';
  const cached = ctx.workspace.hfCacheCommit(load.repoType, load.repoId, ref);
  const call: CallFact = load.call;
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
