import type { Rule, RuleGroup } from './rule';
import type { Severity } from './types';

/**
 * Which rules run and at which severity: the result of merging the team config file,
 * editor settings and CLI flags. Entries of `select`/`ignore` are rule ids or group names;
 * `ALL` selects everything.
 */
export interface RuleSelection {
  select?: string[];
  ignore?: string[];
  severity?: Record<string, Severity>;
}

export function isRuleEnabled(rule: Rule, selection: RuleSelection): boolean {
  const matches = (entry: string) => entry === 'ALL' || entry === rule.meta.id || entry === (rule.meta.group as RuleGroup);
  if (selection.select && selection.select.length > 0 && !selection.select.some(matches)) return false;
  if (selection.ignore && selection.ignore.some(matches)) return false;
  return true;
}

export function effectiveSeverity(ruleId: string, computed: Severity, selection: RuleSelection): Severity {
  return selection.severity?.[ruleId] ?? computed;
}
