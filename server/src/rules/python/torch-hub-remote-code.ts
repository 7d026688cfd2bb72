import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix, TextEdit } from '../../engine/types';
import type { ArgFact, CallFact, PythonFacts } from '../../languages/python/facts';
import { isTrue, stringValue } from '../../languages/python/values';
import { argument, CATALOG_SEVERITY, callsTo, finding, isCommitHash } from './call-matching';

const HUB_CODE_LOADERS = new Set(['torch.hub.load', 'torch.hub.list', 'torch.hub.help']);

const meta: RuleMeta = {
  id: 'torch-hub-remote-code',
  title: 'torch.hub runs hubconf.py from an unpinned or blindly trusted repository',
  summary: 'torch.hub.load/list/help import and run hubconf.py from a GitHub repository; the repository must be pinned to a commit and not trusted blindly.',
  group: 'python',
  defaultSeverity: 'error',
  fixable: 'sometimes',
  catalog: ['PY204'],
  references: [{ title: 'torch.hub documentation', url: 'https://pytorch.org/docs/stable/hub.html' }],
};

export const torchHubRemoteCode = defineRule({
  meta,
  triggers: [['torch', 'hub']],
  callWords: ['hub'],
  check: {
    python(facts) {
      const out: Finding[] = [];
      for (const call of callsTo(facts, HUB_CODE_LOADERS)) {
        const source = argument(call, 'source');
        if (source && stringValue(source.value) === 'local') continue;
        if (source && source.value.kind !== 'string' && source.value.kind !== 'none') continue; // may be "local": not guessed
        if (!source && call.hasOpaqueSplat) continue;
        const repoArg = argument(call, 'repo_or_dir', 0);
        const repo = repoArg ? stringValue(repoArg.value) : undefined;
        if (repo === undefined || !/^[\w.-]+\/[\w.-]+(:[^\s]+)?$/.test(repo)) continue; // unknown or a local directory
        const [, ref] = repo.split(':');
        const trust = argument(call, 'trust_repo');
        const skip = argument(call, 'skip_validation');
        const problems: string[] = [];
        if (!ref) problems.push('is not pinned to a commit (it follows the default branch)');
        else if (!isCommitHash(ref)) problems.push(`is pinned to \`${ref}\`, a branch or tag that can move, not a 40-hex commit`);
        if (trust && isTrue(trust.value)) problems.push('is trusted blindly with trust_repo=True');
        if (skip && isTrue(skip.value)) problems.push('skips validation with skip_validation=True');
        if (problems.length === 0) continue;
        out.push(finding(meta, call.range, CATALOG_SEVERITY.high,
          `\`${call.calleeText}\` runs hubconf.py from \`${repo}\`, which ${problems.join(' and ')}; pin \`owner/repo:<40-hex commit>\` and pass trust_repo="check".`,
          hubFix(facts, call, repoArg!, repo, !ref || !isCommitHash(ref), trust, skip)));
      }
      return out;
    },
  },
});

/**
 * One fix that addresses every problem, or none: pin the repository literal to a commit (a snippet
 * placeholder, since the hash cannot be known offline), turn trust_repo=True into "check" (or add it),
 * and drop skip_validation=True. Values that come from constants or keyword dicts are not edited.
 */
function hubFix(facts: PythonFacts, call: CallFact, repoArg: ArgFact, repo: string, needsPin: boolean, trust: ArgFact | undefined, skip: ArgFact | undefined): Fix[] {
  const editable = (a: ArgFact) => !a.fromSplat && a.value.origin?.kind === 'literal';
  const edits: TextEdit[] = [];
  if (needsPin) {
    if (!editable(repoArg)) return [];
    edits.push({ range: repoArg.range, newText: `"${repo.split(':')[0]}:\${1:<40-hex commit>}"` });
  }
  if (trust && isTrue(trust.value)) {
    if (!editable(trust)) return [];
    edits.push({ range: trust.range, newText: '"check"' });
  } else if (!trust && needsPin && !call.hasOpaqueSplat) {
    edits.push(facts.appendArgumentEdit(call, 'trust_repo="check"'));
  }
  if (skip && isTrue(skip.value)) {
    if (!editable(skip)) return [];
    edits.push(facts.removeArgumentEdit(call, skip));
  }
  if (edits.length === 0) return [];
  const title = needsPin ? 'Pin to a commit (fill in the hash) and use trust_repo="check"' : trust && isTrue(trust.value) ? 'Set trust_repo="check"' : 'Remove skip_validation=True';
  return [{ title, edits, safe: false, preferred: true, ...(needsPin ? { snippet: true } : {}) }];
}
