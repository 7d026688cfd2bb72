/**
 * Reading the local Hugging Face hub cache (huggingface_hub's layout):
 *
 *   <cache>/models--<org>--<name>/refs/<ref>             a file holding the 40-hex commit of <ref>
 *   <cache>/models--<org>--<name>/snapshots/<commit>/    the files of that commit
 *
 * (datasets--… and spaces--… likewise). Only used to offer the exact `revision=` in a pinning fix,
 * so it reads two tiny things and refuses anything that would lead outside the cache directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type HfRepoType = 'model' | 'dataset' | 'space';

const COMMIT = /^[0-9a-f]{40}$/;
/** Hub repo ids: "name" (legacy, e.g. "gpt2") or "org/name"; letters, digits, "-", "_", ".". */
const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

export interface HfCacheLocation {
  hfCache?: string;
  env: NodeJS.ProcessEnv;
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string | undefined {
  if (p === '~' || p.startsWith('~/')) return env.HOME ? path.join(env.HOME, p.slice(1)) : undefined;
  return p;
}

/**
 * The hub cache directory, resolved like huggingface_hub does: an explicit setting, then
 * HF_HUB_CACHE (and its older name HUGGINGFACE_HUB_CACHE), then HF_HOME/hub, then
 * $XDG_CACHE_HOME/huggingface/hub, then ~/.cache/huggingface/hub.
 */
export function resolveHfCacheDir({ hfCache, env }: HfCacheLocation): string | undefined {
  const candidates: (string | undefined)[] = [
    hfCache,
    env.HF_HUB_CACHE,
    env.HUGGINGFACE_HUB_CACHE,
    env.HF_HOME ? path.join(env.HF_HOME, 'hub') : undefined,
    env.XDG_CACHE_HOME ? path.join(env.XDG_CACHE_HOME, 'huggingface', 'hub') : undefined,
    env.HOME ? path.join(env.HOME, '.cache', 'huggingface', 'hub') : undefined,
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const expanded = expandHome(candidate, env);
    if (expanded) return path.resolve(expanded);
  }
  return undefined;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** realpath that never throws. */
function realPath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/** Read a small file whose real location is inside `root`; undefined otherwise. */
function readSmallFileWithin(file: string, root: string, maxBytes: number): string | undefined {
  const real = realPath(file);
  if (!real || !isInside(real, root)) return undefined;
  let fd: number | undefined;
  try {
    fd = fs.openSync(real, 'r');
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.size > maxBytes) return undefined;
    const buffer = Buffer.alloc(stat.size);
    const n = fs.readSync(fd, buffer, 0, stat.size, 0);
    return buffer.toString('utf8', 0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // nothing left to do
      }
    }
  }
}

function isDirectoryWithin(dir: string, root: string): boolean {
  const real = realPath(dir);
  if (!real || !isInside(real, root)) return false;
  try {
    return fs.statSync(real).isDirectory();
  } catch {
    return false;
  }
}

/** A ref name that stays within `refs/` ("main", "v1.0", "refs/pr/1"); no "..", no absolute paths. */
function isSafeRef(ref: string): boolean {
  if (ref.length === 0 || ref.length > 255 || ref.includes('\\') || ref.includes('\0') || ref.startsWith('/')) return false;
  return ref.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * The commit the cache maps (type, repo id, ref) to. A ref that is itself a commit counts when its
 * snapshot exists. Undefined when unknown, malformed, or outside the cache.
 */
export function readHfCacheCommit(cacheDir: string, repoType: HfRepoType, repoId: string, ref: string | undefined): string | undefined {
  if (!REPO_ID.test(repoId) || repoId.split('/').some((s) => s === '.' || s === '..')) return undefined;
  const root = realPath(cacheDir);
  if (!root) return undefined;
  const repoDir = path.join(root, `${repoType}s--${repoId.replace('/', '--')}`);
  const revision = ref === undefined || ref === '' ? 'main' : ref;

  if (COMMIT.test(revision)) {
    return isDirectoryWithin(path.join(repoDir, 'snapshots', revision), root) ? revision : undefined;
  }
  if (!isSafeRef(revision)) return undefined;
  const refsDir = path.join(repoDir, 'refs');
  const refFile = path.join(refsDir, revision);
  if (!isInside(refFile, refsDir)) return undefined;
  const content = readSmallFileWithin(refFile, root, 1024)?.trim();
  return content !== undefined && COMMIT.test(content) ? content : undefined;
}
