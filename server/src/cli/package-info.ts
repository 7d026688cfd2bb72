import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PackageInfo {
  name: string;
  version: string;
}

let cached: PackageInfo | null | undefined;

/**
 * ModelLint's own package.json, found by walking up from the running script
 * (dist/cli.js → ../package.json; out/server/cli.js → ../../package.json).
 */
export function findPackageJson(from: string = __dirname): PackageInfo | undefined {
  if (cached !== undefined) return cached ?? undefined;
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'package.json');
    try {
      const json = JSON.parse(fs.readFileSync(candidate, 'utf8')) as Partial<PackageInfo>;
      if (json.name === 'modellint' && typeof json.version === 'string') {
        cached = { name: json.name, version: json.version };
        return cached;
      }
    } catch {
      // not here
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  cached = null;
  return undefined;
}

export function packageVersion(): string {
  return findPackageJson()?.version ?? '0.0.0';
}
