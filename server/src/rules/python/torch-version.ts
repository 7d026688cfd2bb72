import type { RuleContext } from '../../engine/rule';
import { allowsOnlyAtLeast, allowsOnlyBelow, compareVersions } from '../../workspace/pep440';

/** What the project's torch requirement says about the `weights_only` default (True from 2.6). */
export type TorchDefault = 'safe' | 'unsafe' | 'unknown';

export function torchLoadDefault(ctx: RuleContext): { state: TorchDefault; why: string } {
  const override = ctx.options.torchVersion;
  if (override) {
    return compareVersions(override, '2.6') >= 0
      ? { state: 'safe', why: `torch-version = ${override} in the configuration` }
      : { state: 'unsafe', why: `torch-version = ${override} in the configuration` };
  }
  const c = ctx.workspace.packageConstraint('torch', ctx.uri);
  if (!c) return { state: 'unknown', why: 'the project does not declare a torch version' };
  if (allowsOnlyAtLeast(c, '2.6')) return { state: 'safe', why: `the project requires torch${c.specifier}` };
  if (allowsOnlyBelow(c, '2.6')) return { state: 'unsafe', why: `the project pins torch${c.specifier}` };
  return { state: 'unknown', why: `torch${c.specifier || ' (unpinned)'} may resolve to a version before 2.6` };
}
