/**
 * Bob Jenkins' lookup3 `hashlittle`, as HDF5 uses it for metadata checksums
 * (`H5_checksum_lookup3(data, len, 0)`): superblock v2/v3, OHDR/OCHK, B-tree v2, fractal heap.
 */
const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export function lookup3(k: Uint8Array, initval = 0): number {
  let length = k.length;
  let a = (0xdeadbeef + length + initval) >>> 0;
  let b = a;
  let c = a;
  let i = 0;
  while (length > 12) {
    a = (a + (k[i] | (k[i + 1] << 8) | (k[i + 2] << 16) | (k[i + 3] << 24))) >>> 0;
    b = (b + (k[i + 4] | (k[i + 5] << 8) | (k[i + 6] << 16) | (k[i + 7] << 24))) >>> 0;
    c = (c + (k[i + 8] | (k[i + 9] << 8) | (k[i + 10] << 16) | (k[i + 11] << 24))) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 12;
    i += 12;
  }
  if (length === 0) return c;
  // the reference's fall-through switch: every byte position below `length` is added
  if (length >= 12) c = (c + ((k[i + 11] << 24) >>> 0)) >>> 0;
  if (length >= 11) c = (c + (k[i + 10] << 16)) >>> 0;
  if (length >= 10) c = (c + (k[i + 9] << 8)) >>> 0;
  if (length >= 9) c = (c + k[i + 8]) >>> 0;
  if (length >= 8) b = (b + ((k[i + 7] << 24) >>> 0)) >>> 0;
  if (length >= 7) b = (b + (k[i + 6] << 16)) >>> 0;
  if (length >= 6) b = (b + (k[i + 5] << 8)) >>> 0;
  if (length >= 5) b = (b + k[i + 4]) >>> 0;
  if (length >= 4) a = (a + ((k[i + 3] << 24) >>> 0)) >>> 0;
  if (length >= 3) a = (a + (k[i + 2] << 16)) >>> 0;
  if (length >= 2) a = (a + (k[i + 1] << 8)) >>> 0;
  a = (a + k[i]) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return c;
}
