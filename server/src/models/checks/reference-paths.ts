/**
 * Lexical validation of references from a model file to other files (formats.md §0 rule 6, §1, §4,
 * §6; rules.md C7 `model-file-external-data-traversal`): ONNX `external_data.location`, safetensors
 * shard names, HDF5 external links / virtual dataset sources / external storage, Keras TFSMLayer and
 * vocabulary paths. The referenced files are NEVER opened; only the text is judged.
 */
import type { ExternalReference } from '../types';

export interface PathVerdict {
  status: ExternalReference['status'];
  problems: string[];
}

/**
 * `escapes`: empty, absolute (POSIX `/`, `\`, drive letter, UNC `\\host` or `//host`), a URL
 * (`scheme://`), NUL or `%00`, `~` home expansion, or `..` that climbs above the model folder.
 * `odd`: stays inside but is unusual (`..` that comes back, percent-encoded dots, control characters).
 */
export function checkReferencePath(path: string): PathVerdict {
  const problems: string[] = [];
  let escapes = false;
  const esc = (why: string) => {
    problems.push(why);
    escapes = true;
  };
  if (path.length === 0) esc('empty path');
  if (path.includes('\u0000')) esc('contains a NUL character');
  if (/%00/.test(path)) esc('contains %00 (an encoded NUL that truncates the path in C loaders)');
  if (/:\/\//.test(path)) esc('is a URL (scheme://)');
  if (/^[\\/]{2}/.test(path)) esc('is a UNC or network path');
  else if (/^[\\/]/.test(path)) esc('is an absolute path');
  if (/^[A-Za-z]:/.test(path)) esc('names a drive (Windows absolute or drive-relative path)');
  if (/^~/.test(path)) esc('starts with ~ (home directory)');
  // `..` climbing: normalize with both separators, like lexically_normal on Windows and POSIX
  const parts = path.split(/[\\/]+/);
  let depth = 0;
  let sawDotDot = false;
  let climbed = false;
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      sawDotDot = true;
      depth--;
      if (depth < 0) climbed = true;
    } else depth++;
  }
  if (climbed) esc("climbs out of the model's folder with '..'");
  else if (sawDotDot) problems.push("contains '..' (disallowed by the ONNX spec), though it stays inside");
  if (/%2e%2e|%2f|%5c/i.test(path)) problems.push('contains percent-encoded dots or separators');
  if (/[\u0001-\u001f\u007f]/.test(path)) problems.push('contains control characters');
  return { status: escapes ? 'escapes' : problems.length > 0 ? 'odd' : 'inside', problems };
}

/** Cuts a hostile path for messages (it is shown escaped as JSON text). */
export function quotePath(path: string, max = 200): string {
  return JSON.stringify(path.length > max ? `${path.slice(0, max)}…` : path);
}
