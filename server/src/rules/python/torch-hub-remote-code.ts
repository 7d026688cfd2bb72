import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import { isTrue, stringValue } from '../../languages/python/values';
import { argument, CATALOG_SEVERITY, callsTo, finding, isCommitHash, replaceFix } from './call-matching';

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
  triggers: ['hub'],
  check: {
    python(facts) {
      const out: Finding[] = [];
      for (const call of callsTo(facts, HUB_CODE_LOADERS)) {
        const source = argument(call, 'source');
        if (source && stringValue(source.value) === 'local') continue;
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
        const fixes: Fix[] = [];
        if (trust && isTrue(trust.value) && !trust.fromSplat) fixes.push(replaceFix('Set trust_repo="check"', trust.range, '"check"', false));
        else if (!trust && !call.hasOpaqueSplat) fixes.push({ title: 'Add trust_repo="check"', edits: [facts.appendArgumentEdit(call, 'trust_repo="check"')], safe: false, preferred: true });
        out.push(finding(meta, call.range, CATALOG_SEVERITY.high,
          `\`${call.calleeText}\` runs hubconf.py from \`${repo}\`, which ${problems.join(' and ')}; pin \`owner/repo:<40-hex commit>\` and pass trust_repo="check".`, fixes));
      }
      return out;
    },
  },
});
