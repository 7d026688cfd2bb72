import type { FlagSpec, ProgramGrammar } from './argv';

/**
 * `torchserve` (rules.md B3): argparse; the command line can only disable token authorization
 * (`--disable-token-auth`) and only enable the model API (`--enable-model-api`).
 */
const flags: FlagSpec[] = [
  ...['--start', '--stop', '--ncs', '--no-config-snapshots', '--foreground', '--disable-token-auth', '--enable-model-api', '--version', '--help'].map((name) => ({ name, kind: 'boolean' as const })),
  { name: '--model-store', kind: 'value' },
  { name: '--ts-config', kind: 'value' },
  { name: '--log-config', kind: 'value' },
  { name: '--cpp-log-config', kind: 'value' },
  { name: '--workflow-store', kind: 'value' },
  { name: '--plugins-path', aliases: ['--ppath'], kind: 'value' },
  { name: '--models', kind: 'multi' },
];

export const torchserveGrammar: ProgramGrammar = { program: 'torchserve', flags, unknownTakesValue: true };
