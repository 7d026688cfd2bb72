import * as path from 'node:path';
import type { InvocationContext, MountFact } from './types';

/**
 * Paths inside a container and where they come from on the host: a bind mount (`./models:/models`,
 * a k8s hostPath volume) or a Dockerfile COPY/ADD from the build context.
 */

/** Normalize a container path: forward slashes, no trailing slash, `.`/`..` collapsed. */
export function normalizeContainerPath(p: string): string {
  const n = path.posix.normalize(p.replace(/\\/g, '/'));
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

/** Whether `inner` is `outer` or lies below it (container paths). */
export function isUnder(inner: string, outer: string): boolean {
  const i = normalizeContainerPath(inner);
  const o = normalizeContainerPath(outer);
  return i === o || i.startsWith(o === '/' ? '/' : `${o}/`);
}

/** The mount that holds a container path (the deepest one), if any. */
export function mountOf(context: InvocationContext, containerPath: string): MountFact | undefined {
  let best: MountFact | undefined;
  for (const m of context.mounts ?? []) {
    if (isUnder(containerPath, m.mountPath) && (!best || normalizeContainerPath(m.mountPath).length > normalizeContainerPath(best.mountPath).length)) best = m;
  }
  return best;
}

/**
 * Host paths (as written: relative to the compose file / the Docker build context, or absolute) a
 * container path may come from, most specific first: through bind mounts and hostPath volumes,
 * then through COPY/ADD of the image's stages. Pass them to `WorkspaceFacts.listModelConfigs`.
 */
export function hostPathsOf(context: InvocationContext, containerPath: string): string[] {
  const out: string[] = [];
  const target = normalizeContainerPath(containerPath);
  const m = mountOf(context, target);
  if (m?.hostPath) out.push(joinRest(m.hostPath, target, m.mountPath));
  for (const c of [...(context.copies ?? [])].reverse()) {
    if (c.from) continue;
    const dest = normalizeContainerPath(c.target);
    if (isUnder(target, dest)) {
      // `COPY model_repository /models`: the source folder becomes the target folder.
      for (const s of c.sources) out.push(joinRest(s, target, dest));
    } else if (c.target.endsWith('/') && c.sources.length === 1 && isUnder(target, path.posix.join(dest, path.posix.basename(c.sources[0])))) {
      out.push(joinRest(c.sources[0], target, path.posix.join(dest, path.posix.basename(c.sources[0]))));
    }
  }
  return [...new Set(out)];
}

function joinRest(hostBase: string, target: string, mountPath: string): string {
  const rest = path.posix.relative(normalizeContainerPath(mountPath), target);
  return rest ? path.posix.join(hostBase, rest) : hostBase;
}
