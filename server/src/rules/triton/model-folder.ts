/**
 * What the `triton` rules need to know about a config's model folder and repository: the files in
 * its version folders, and how the workspace runs the repository (through ctx.workspace only).
 */
import type { Finding, Fix, Range, RelatedInformation, Severity } from '../../engine/types';
import type { RuleContext, RuleMeta } from '../../engine/rule';
import type { TritonServerUse } from '../../workspace/triton-repository-scan';
import { pathToFileURL } from 'node:url';

export function finding(meta: RuleMeta, range: Range, severity: Severity, message: string, fixes?: Fix[], related?: RelatedInformation[]): Finding {
  return { ruleId: meta.id, severity, message, range, ...(fixes && fixes.length ? { fixes } : {}), ...(related && related.length ? { related } : {}) };
}

/** The model folder of a config, relative to the config's own folder ("." or ".." for `configs/<name>.pbtxt`). */
export function modelFolder(uri: string): string {
  return /\/configs\/[^/]+\.pbtxt$/i.test(uri.replace(/\\/g, '/')) ? '..' : '.';
}

const MAX_FILES = 500;

/** Files below the model folder's numeric version folders, as `<version>/<path>` (bounded). Undefined without a file system. */
export function versionFiles(ctx: RuleContext): string[] | undefined {
  const list = ctx.workspace.listDirectory;
  if (!list) return undefined;
  const base = modelFolder(ctx.uri);
  const top = list.call(ctx.workspace, base, ctx.uri);
  if (!top) return undefined;
  const out: string[] = [];
  const stack = top.filter((e) => e.kind === 'directory' && /^\d+$/.test(e.name)).map((e) => ({ rel: e.name, depth: 1 }));
  while (stack.length && out.length < MAX_FILES) {
    const { rel, depth } = stack.pop()!;
    for (const e of list.call(ctx.workspace, `${base}/${rel}`, ctx.uri) ?? []) {
      if (e.kind === 'file') out.push(`${rel}/${e.name}`);
      else if (depth < 4 && !e.name.startsWith('.') && e.name !== '__pycache__') stack.push({ rel: `${rel}/${e.name}`, depth: depth + 1 });
      if (out.length >= MAX_FILES) break;
    }
  }
  return out.sort();
}

/** Names of the files directly in the model folder. */
export function modelFolderFiles(ctx: RuleContext): string[] | undefined {
  const entries = ctx.workspace.listDirectory?.(modelFolder(ctx.uri), ctx.uri);
  return entries?.filter((e) => e.kind === 'file').map((e) => e.name);
}

export interface RepositoryExposure {
  /** A tritonserver that loads models at run time from this repository. */
  dynamic?: TritonServerUse;
  /** A tritonserver whose repository mount is writable. */
  writable?: TritonServerUse;
}

export function repositoryExposure(ctx: RuleContext): RepositoryExposure {
  const uses = ctx.workspace.tritonRepositoryUses?.(ctx.uri) ?? [];
  return { dynamic: uses.find((u) => u.mode), writable: uses.find((u) => u.writableMount) };
}

/** Related information pointing at the deployment files behind an exposure. */
export function exposureRelated(e: RepositoryExposure): RelatedInformation[] {
  const out: RelatedInformation[] = [];
  const at = (file: string, line: number): { uri: string; range: Range } => ({ uri: pathToFileURL(file).href, range: { start: { line, character: 0 }, end: { line, character: 0 } } });
  if (e.dynamic) out.push({ ...at(e.dynamic.file, e.dynamic.line), message: `tritonserver loads models from this repository at run time (--model-control-mode=${e.dynamic.mode})` });
  if (e.writable?.writableMount) out.push({ ...at(e.writable.writableMount.file, e.writable.writableMount.line), message: 'the model repository is mounted writable (no :ro)' });
  return out;
}
