/**
 * Kubernetes-style quantities as cluster files write them: `96`, `500m` cores; `512Gi`, `80GB`, `1Ti` bytes.
 */
export type QuantityResult = { ok: true; value: number } | { ok: false; reason: string };

const BYTE_SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

/** Bytes from `512Gi`, `80GB`, `1.5Ti` or a plain number of bytes. */
export function parseBytes(input: string | number): QuantityResult {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0
      ? { ok: true, value: Math.round(input) }
      : { ok: false, reason: `must be >= 0, got ${input}` };
  }
  // Trimmed first: two `\s*` around an empty suffix would backtrack quadratically on a long run of spaces.
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(input.trim());
  const multiplier = match ? BYTE_SUFFIX[match[2]!] : undefined;
  if (!match || multiplier === undefined) {
    return { ok: false, reason: `"${input}" is not a memory quantity (examples: 512Gi, 80GB, 1Ti)` };
  }
  return { ok: true, value: Math.round(Number(match[1]) * multiplier) };
}

/** Millicores from `96`, `0.5` or `500m`. */
export function parseMillicores(input: string | number): QuantityResult {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0
      ? { ok: true, value: Math.round(input * 1000) }
      : { ok: false, reason: `must be >= 0, got ${input}` };
  }
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(input.trim());
  if (!match) return { ok: false, reason: `"${input}" is not a CPU quantity (examples: 96, 0.5, 500m)` };
  const amount = Number(match[1]);
  return { ok: true, value: Math.round(match[2] === 'm' ? amount : amount * 1000) };
}

export const GIB = 2 ** 30;
export const MIB = 2 ** 20;
