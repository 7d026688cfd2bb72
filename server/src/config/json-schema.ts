import type { Rule } from '../engine/rule';
import { CONFIG_KEYS } from './team-config';

/**
 * The JSON schema of modellint.toml / [tool.modellint], generated from the same key table the
 * validator uses and from the rule registry, so completion in TOML editors never drifts from
 * what the tool accepts. Written to schemas/modellint.schema.json by scripts/generate-schema.mjs;
 * a unit test fails when the committed file is stale.
 */
export function configJsonSchema(rules: readonly Rule[]): object {
  const ids = rules.map((r) => r.meta.id);
  const groups = [...new Set(rules.map((r) => r.meta.group))];
  const ruleOrGroup = { type: 'string', enum: ['ALL', ...groups, ...ids] };
  const severity = { type: 'string', enum: ['error', 'warning', 'info'] };
  const properties: Record<string, object> = {};
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    const base = { description: spec.description };
    switch (spec.type) {
      case 'rule-list':
        properties[key] = { ...base, type: 'array', items: ruleOrGroup, uniqueItems: true };
        break;
      case 'string-list':
        properties[key] = { ...base, type: 'array', items: { type: 'string' } };
        break;
      case 'severity-table':
        properties[key] = { ...base, type: 'object', properties: Object.fromEntries(ids.map((id) => [id, severity])), additionalProperties: false };
        break;
      case 'version':
        properties[key] = { ...base, type: 'string', pattern: '^\\d+(\\.\\d+){0,3}([a-z0-9.+-]*)$' };
        break;
      case 'string':
        properties[key] = { ...base, type: 'string' };
        break;
    }
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/modellint/modellint/blob/main/schemas/modellint.schema.json',
    title: 'ModelLint configuration',
    description: 'modellint.toml, .modellint.toml, or the [tool.modellint] table of pyproject.toml.',
    type: 'object',
    properties,
    additionalProperties: false,
  };
}
