import type { FlagSpec, ProgramGrammar } from './argv';

/**
 * `hf download` (huggingface_hub ≥ 0.34) and `huggingface-cli download`: `<repo_id> [filenames…]`
 * with `--revision`, `--repo-type`, `--include/--exclude` patterns, `--local-dir`, `--token`, ….
 */
const flags: FlagSpec[] = [
  ...['--force-download', '--resume-download', '--quiet', '--dry-run', '--help'].map((name) => ({ name, kind: 'boolean' as const })),
  { name: '--revision', kind: 'value', env: [] },
  { name: '--repo-type', kind: 'value' },
  { name: '--cache-dir', kind: 'value', env: ['HF_HUB_CACHE'] },
  { name: '--local-dir', kind: 'value' },
  { name: '--local-dir-use-symlinks', kind: 'value' },
  { name: '--token', kind: 'value', env: ['HF_TOKEN'] },
  { name: '--max-workers', kind: 'value' },
  { name: '--format', kind: 'value' },
  { name: '--include', kind: 'multi' },
  { name: '--exclude', kind: 'multi' },
];

export const hfDownloadGrammar: ProgramGrammar = { program: 'hf-download', flags, unknownTakesValue: true };
