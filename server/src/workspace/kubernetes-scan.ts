/**
 * Kubernetes Services and routes (Ingress, OpenShift Route, Gateway API HTTPRoute) declared in the
 * YAML files of a workspace folder, so that a Deployment's container learns which of its ports a
 * Service in another file publishes. The walk is bounded (entries, depth, file size, skipped
 * folders) and done once per folder; afterwards a changed file is re-read on its own.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readKubernetes } from '../languages/yaml/kubernetes';
import { looksLikeTemplate, parseYaml } from '../languages/yaml/nodes';
import { isFileEntry, listDirectory } from './bounded-fs';
import type { ScanLimits } from './project-scan';
import type { WorkspaceService } from './workspace-facts';

const SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', 'site-packages', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'dist', 'build', 'out', 'target']);

interface FileNetwork {
  services: WorkspaceService[];
  /** `namespace/name` of the Services its routes point to (namespace may be empty). */
  routes: string[];
}

function isYaml(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/** Only files that can declare a Service or a route are parsed. */
function mayDeclareNetwork(text: string): boolean {
  return /^kind\s*:\s*["']?(Service|Ingress|Route|HTTPRoute|GRPCRoute|List)\b/m.test(text) || /\bkind\s*:\s*["']?(Service|Ingress)\b/.test(text);
}

export function readNetwork(file: string, text: string): FileNetwork {
  if (!mayDeclareNetwork(text) || looksLikeTemplate(text)) return { services: [], routes: [] };
  const facts = readKubernetes(parseYaml(text));
  const uri = pathToFileURL(file).href;
  return {
    services: facts.services.map((s) => ({ ...s, uri, routed: false })),
    routes: facts.ingresses.flatMap((i) => i.services.map((s) => `${i.namespace ?? ''}/${s}`)),
  };
}

export class KubernetesScan {
  private files: Map<string, FileNetwork> | undefined;

  constructor(
    readonly dir: string,
    private readonly read: (file: string) => string | undefined,
    private readonly limits: ScanLimits,
  ) {}

  private all(): Map<string, FileNetwork> {
    if (!this.files) {
      this.files = new Map();
      for (const file of this.walk()) this.load(file);
    }
    return this.files;
  }

  private load(file: string): void {
    const text = this.read(file);
    const network = text === undefined ? { services: [], routes: [] } : readNetwork(file, text);
    if (network.services.length || network.routes.length) this.files!.set(file, network);
    else this.files!.delete(file);
  }

  private walk(): string[] {
    const out: string[] = [];
    const stack: { dir: string; depth: number }[] = [{ dir: this.dir, depth: 0 }];
    let visited = 0;
    while (stack.length > 0) {
      const { dir, depth } = stack.pop()!;
      for (const entry of listDirectory(dir)) {
        if (++visited > this.limits.maxEntries) return out;
        if (entry.isDirectory()) {
          if (depth < this.limits.maxDepth && !SKIPPED.has(entry.name)) stack.push({ dir: path.join(dir, entry.name), depth: depth + 1 });
        } else if (isYaml(entry.name) && isFileEntry(dir, entry)) {
          out.push(path.join(dir, entry.name));
        }
      }
    }
    return out;
  }

  /** Services declared outside `exceptFile`, and every route target of the folder. */
  network(exceptFile: string | undefined): { services: WorkspaceService[]; routes: string[] } {
    const routes = new Set<string>();
    const services: WorkspaceService[] = [];
    for (const [file, n] of this.all()) {
      for (const r of n.routes) routes.add(r);
      if (file !== exceptFile) services.push(...n.services);
    }
    for (const s of services) s.routed = !!s.name && (routes.has(`${s.namespace ?? ''}/${s.name}`) || (s.namespace === undefined && [...routes].some((r) => r.endsWith(`/${s.name}`))));
    return { services, routes: [...routes] };
  }

  fileChanged(file: string): void {
    if (!this.files || !isYaml(file)) return;
    const rel = path.relative(this.dir, file);
    if (rel.split(path.sep).some((s) => SKIPPED.has(s))) return;
    this.load(file);
  }

  reset(): void {
    this.files = undefined;
  }
}
