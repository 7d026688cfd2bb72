import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import { parseServingCommand } from '../../invocations/programs/index';
import type { ArgItem, ServingFacts } from '../../invocations/types';
import { finding, isCommitHash, isShortHex } from '../python/call-matching';
import { CATALOG_SEVERITY } from '../severity';
import { insertArgsEdit } from './arg-edits';

const meta: RuleMeta = {
  id: 'hf-cli-unpinned-download',
  title: 'Hugging Face CLI download not pinned to a commit',
  summary: '`hf download` / `huggingface-cli download` (or an `hf://` URI) in a Dockerfile, script, manifest or subprocess call fetches whatever the branch points to at that moment, because no 40-hex `--revision` is given.',
  group: 'serving',
  defaultSeverity: 'warning',
  fixable: 'sometimes',
  catalog: ['DK305'],
  references: [
    { title: 'huggingface_hub CLI: hf download', url: 'https://huggingface.co/docs/huggingface_hub/guides/cli#hf-download' },
    { title: 'huggingface_hub: REGEX_COMMIT_HASH (40 lowercase hex)', url: 'https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/constants.py' },
    { title: 'Bandit B615 (Python API counterpart)', url: 'https://bandit.readthedocs.io/en/latest/plugins/b615_huggingface_unsafe_download.html' },
  ],
};

const PIN_SNIPPET = '${1:<40-hex commit>}';
/** `hf://[datasets/|spaces/]org/name[@rev][/path]`. */
const HF_URI = /^hf:\/\/(?:(datasets|spaces)\/)?([\w.-]+\/[\w.-]+)(?:@([^/\s]+))?/;

function onlySafetensors(patterns: string[]): boolean {
  return patterns.length > 0 && patterns.every((p) => /\.(safetensors|json|txt|model|md|jinja|tiktoken)$/i.test(p) || /\*\.(safetensors|json)$/i.test(p));
}

export const hfCliUnpinnedDownload = defineRule({
  meta,
  check: {
    serving(facts: ServingFacts, ctx: RuleContext) {
      const out: Finding[] = [];
      const seen = new Set<string>();
      for (const inv of facts.invocations) {
        const cmd = parseServingCommand(inv);
        if (cmd?.program === 'hf-download') {
          const repo: ArgItem | undefined = cmd.positionals[0];
          const at = repo ?? cmd.programItem;
          const key = `${at.range.start.line}:${at.range.start.character}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const revision = cmd.flag('revision');
          const repoType = cmd.value('repo-type') ?? 'model';
          if (revision && (!revision.resolved || revision.value === undefined)) continue; // `--revision "$REV"`: not known here
          const value = revision?.value;
          if (value && isCommitHash(value)) continue;
          const include = cmd.all('include').flatMap((u) => u.values ?? (u.value ? [u.value] : []));
          const safeFiles = onlySafetensors(include);
          const severity = value && isShortHex(value) ? CATALOG_SEVERITY.low : safeFiles ? CATALOG_SEVERITY.low : CATALOG_SEVERITY.medium;
          const what = repo ? `\`${repo.value}\`` : 'the repository';
          const state = value
            ? isShortHex(value) ? `\`--revision ${value}\` is a short hash, which the Hub does not treat as a commit` : `\`--revision ${value}\` names a branch or tag, which can move`
            : 'no `--revision` is given, so it fetches the current head of `main`';
          const known = repo?.resolved && repoType !== 'space' ? ctx.workspace.hfCacheCommit(repoType === 'dataset' ? 'dataset' : 'model', repo.value, value ?? 'main') : undefined;
          const fixes: Fix[] = [];
          if (revision?.valueRange) {
            fixes.push(known
              ? { title: `Pin --revision to ${known.slice(0, 12)}… (from the local Hugging Face cache)`, edits: [{ range: revision.valueRange, newText: known }], safe: false, preferred: true }
              : { title: 'Pin --revision to a commit (fill in the hash)', edits: [{ range: revision.valueRange, newText: PIN_SNIPPET }], safe: false, preferred: true, snippet: true });
          } else if (!revision) {
            const edit = insertArgsEdit(ctx.text, inv, ['--revision', known ?? PIN_SNIPPET], repo);
            if (edit) fixes.push(known
              ? { title: `Pin --revision ${known.slice(0, 12)}… (from the local Hugging Face cache)`, edits: [edit], safe: false, preferred: true }
              : { title: 'Add --revision <commit> (fill in the hash)', edits: [edit], safe: false, preferred: true, snippet: true });
          }
          out.push(finding(meta, at.range, severity,
            `This download of ${what} is not pinned: ${state}. A changed or compromised repository then reaches the image or server unnoticed${safeFiles ? ' (only safetensors/config files are selected, which at least keeps pickle weights out)' : ''}. Pin \`--revision\` to the reviewed 40-hex commit.`,
            fixes));
          continue;
        }
        for (const a of inv.args) {
          const m = HF_URI.exec(a.value);
          if (!m || !a.resolved || (m[3] && isCommitHash(m[3]))) continue;
          const key = `${a.range.start.line}:${a.range.start.character}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(finding(meta, a.range, CATALOG_SEVERITY.medium,
            `\`${m[0]}\` reads ${m[1] ? m[1].slice(0, -1) : 'model'} \`${m[2]}\` at ${m[3] ? `\`${m[3]}\`, which is not a commit` : 'its current head'}; pin it with \`@<40-hex commit>\` after the repository name.`));
        }
      }
      return out;
    },
  },
});
