// Counter-based PRNG: any element of any weight tensor is a pure function of (seed, tensor, index),
// so every rank can generate exactly its own slice, in parallel, with the same values as the reference.

/** 32-bit integer finaliser (lowbias32, Wellons): good avalanche, two multiplies. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Key of one tensor's stream under one seed. */
export function streamKey(seed: number, tensor: number): number {
  return mix32(mix32(seed >>> 0) ^ Math.imul(tensor + 1, 0x9e3779b9));
}

/** Uniform in [-1, 1) with 24 random bits, so the value is exact in float32. */
export function uniformAt(key: number, index: number): number {
  const h = mix32((key ^ Math.imul(index, 0x27d4eb2f)) + index);
  return (h >>> 8) * 2 ** -23 - 1;
}
