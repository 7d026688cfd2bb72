import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { childMessages, mapEntries, scalarField } from '../../languages/pbtxt/facts';
import { CATALOG_SEVERITY } from '../severity';
import { finding, modelFolder, versionFiles } from './model-folder';

const meta: RuleMeta = {
  id: 'triton-checksum-agent-invalid',
  title: 'Triton checksum repository agent that rejects the model or checks too little',
  summary: 'A checksum repository-agent entry uses an algorithm other than MD5, a value that is not an MD5 hex digest, names a file that does not exist, or leaves model files unchecked.',
  group: 'triton',
  defaultSeverity: 'error',
  fixable: 'none',
  catalog: ['TC603'],
  references: [
    { title: 'Triton checksum repository agent', url: 'https://github.com/triton-inference-server/checksum_repository_agent' },
    { title: 'Triton repository agents', url: 'https://github.com/triton-inference-server/server/blob/main/docs/customization_guide/repository_agents.md' },
  ],
};

function fileExists(ctx: RuleContext, rel: string): boolean | undefined {
  const list = ctx.workspace.listDirectory;
  if (!list) return undefined;
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return undefined;
  const name = parts.pop();
  if (!name) return undefined;
  const dir = [modelFolder(ctx.uri), ...parts].join('/');
  const entries = list.call(ctx.workspace, dir, ctx.uri);
  if (!entries) return parts.length === 0 ? undefined : false;
  return entries.some((e) => e.name === name);
}

export const tritonChecksumAgentInvalid = defineRule({
  meta,
  check: {
    pbtxt(facts, ctx) {
      const out: Finding[] = [];
      for (const agents of childMessages(facts.doc.root, 'model_repository_agents')) {
        for (const agent of childMessages(agents, 'agents')) {
          const name = scalarField(agent, 'name');
          if (!name || name.value.kind !== 'string' || name.value.value !== 'checksum') continue;
          const entries = mapEntries(agent, 'parameters');
          if (entries.length === 0) {
            out.push(finding(meta, name.value.range, CATALOG_SEVERITY.medium, 'This checksum agent lists no files, so it verifies nothing. Add one parameters entry per model file: key "MD5:<version>/<file>", value its MD5 hex digest.'));
            continue;
          }
          let invalid = false;
          const covered = new Set<string>();
          for (const e of entries) {
            const key = e.key?.kind === 'string' ? e.key.value : undefined;
            if (!e.key || key === undefined) continue;
            const m = /^md5:(.+)$/i.exec(key);
            if (!m) {
              invalid = true;
              const algorithm = key.includes(':') ? key.slice(0, key.indexOf(':')) : key;
              out.push(finding(meta, e.key.range, CATALOG_SEVERITY.critical, `Checksum key "${key}": the checksum agent only supports MD5 keys of the form "MD5:<relative path>"; "${algorithm}" makes Triton fail the load with "Unsupported checksum algorithm".`));
              continue;
            }
            const rel = m[1].replace(/^\.\//, '');
            covered.add(rel);
            const value = e.value?.type === 'scalar' ? e.value : undefined;
            if (value && !(value.kind === 'string' && /^[0-9a-f]{32}$/.test(value.value))) {
              invalid = true;
              const shown = value.kind === 'string' ? `"${value.value}"` : value.value;
              out.push(finding(meta, value.range, CATALOG_SEVERITY.critical, `Checksum value ${shown} for ${rel} is not an MD5 digest (32 lower-case hex digits); the agent compares it with the computed digest and fails the load.`));
            }
            if (fileExists(ctx, rel) === false) {
              out.push(finding(meta, e.key.range, CATALOG_SEVERITY.medium, `Checksum entry for ${rel}, but the model folder has no such file: Triton fails the load, or the entry is stale and the real file goes unchecked.`));
            }
          }
          if (invalid) continue;
          const files = versionFiles(ctx);
          const missing = files?.filter((f) => !covered.has(f)) ?? [];
          if (missing.length > 0) {
            const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, and ${missing.length - 5} more` : '');
            out.push(finding(meta, name.value.range, CATALOG_SEVERITY.medium, `The checksum agent does not cover every model file: ${shown} can change without the load failing. Add an "MD5:<path>" entry for each file in the version folders.`));
          } else {
            out.push(finding(meta, name.value.range, CATALOG_SEVERITY.info, 'The checksum agent verifies MD5 digests, which are collision-prone: pair it with a read-only model repository and digest-pinned images rather than relying on it alone.'));
          }
        }
      }
      return out;
    },
  },
});
