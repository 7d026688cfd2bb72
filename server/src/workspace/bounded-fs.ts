/**
 * Synchronous file-system reads for workspace facts that never throw: a missing file, a
 * permission error, a directory where a file was expected or a symlink loop all read as "nothing".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type PathKind = 'file' | 'directory' | 'missing' | 'other';

/** What `p` is, following symlinks (a dangling link or a loop is "missing"). */
export function pathKind(p: string): PathKind {
  try {
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (!stat) return 'missing';
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * The text of a regular file of at most `maxBytes`, else undefined. Checking the type first also
 * keeps us from blocking on a FIFO or reading a device.
 */
export function readTextFile(p: string, maxBytes: number): string | undefined {
  try {
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (!stat || !stat.isFile() || stat.size > maxBytes) return undefined;
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** Entries of a directory (types from lstat, so symlinks are reported as such); [] on any error. */
export function listDirectory(p: string): fs.Dirent[] {
  try {
    return fs.readdirSync(p, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Whether a directory entry is a regular file, following a symlink to a file (never to a directory). */
export function isFileEntry(dir: string, entry: fs.Dirent): boolean {
  if (entry.isFile()) return true;
  return entry.isSymbolicLink() && pathKind(path.join(dir, entry.name)) === 'file';
}
