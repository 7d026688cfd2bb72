import { readHfCacheCommit, resolveHfCacheDir } from './hf-cache';
import type { WorkspaceFacts } from './workspace-facts';

/**
 * The same workspace facts with another Hugging Face hub cache: used when a team config's
 * `hf-cache` (or the editor's `modellint.hfCache`) names one for some documents only. Everything
 * else is the shared, cached workspace; one view per cache folder is kept.
 */
export class HfCacheViews {
  private readonly views = new Map<string, WorkspaceFacts>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  view(base: WorkspaceFacts, hfCache: string | undefined): WorkspaceFacts {
    if (!hfCache) return base;
    const dir = resolveHfCacheDir({ hfCache, env: this.env });
    if (!dir) return base;
    let view = this.views.get(dir);
    if (!view || (view as { base?: WorkspaceFacts }).base !== base) {
      view = withHfCache(base, dir);
      this.views.set(dir, view);
    }
    return view;
  }

  clear(): void {
    this.views.clear();
  }
}

/** A view that forwards every fact to `base` (including ones added later) except the cache lookup. */
function withHfCache(base: WorkspaceFacts, dir: string): WorkspaceFacts {
  const hfCacheCommit: WorkspaceFacts['hfCacheCommit'] = (repoType, repoId, ref) => {
    try {
      return readHfCacheCommit(dir, repoType, repoId, ref);
    } catch {
      return undefined;
    }
  };
  return new Proxy(base, {
    get(target, prop) {
      if (prop === 'hfCacheCommit') return hfCacheCommit;
      if (prop === 'base') return target;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
