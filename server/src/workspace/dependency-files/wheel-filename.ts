import { normalizeVersion } from '../pep440';
import { normalizePackageName } from './pep508';

/**
 * The version pinned by a wheel reference such as
 * `https://download.pytorch.org/whl/cu121/torch-2.5.1%2Bcu121-cp311-cp311-linux_x86_64.whl`.
 * Wheel file names are `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl` (PEP 427), so the
 * version is the second dash-separated field. Returns undefined for anything that is not a wheel of
 * `expectedName` (when given).
 */
export function wheelVersion(urlOrPath: string, expectedName?: string): string | undefined {
  const file = urlOrPath.split(/[?#]/)[0].split(/[\\/]/).pop() ?? '';
  if (!/\.whl$/i.test(file)) return undefined;
  let decoded = file;
  try {
    decoded = decodeURIComponent(file);
  } catch {
    // keep the raw name: a stray "%" only means we read it literally
  }
  const parts = decoded.slice(0, -4).split('-');
  if (parts.length < 5) return undefined;
  if (expectedName && normalizePackageName(parts[0]) !== normalizePackageName(expectedName)) return undefined;
  return normalizeVersion(parts[1]);
}

/** The distribution name of a wheel reference, if it is one. */
export function wheelName(urlOrPath: string): string | undefined {
  const file = urlOrPath.split(/[?#]/)[0].split(/[\\/]/).pop() ?? '';
  if (!/\.whl$/i.test(file)) return undefined;
  const parts = file.slice(0, -4).split('-');
  return parts.length >= 5 && /^[A-Za-z0-9._]+$/.test(parts[0]) ? parts[0] : undefined;
}
