/**
 * Virtual time. Integers of microseconds: exact arithmetic, a total order, and 2^53 µs is ~285 years of
 * simulated time, far beyond any horizon a scenario asks for.
 */
export type Micros = number;

export const MICROS_PER_SECOND = 1_000_000;
export const NEVER: Micros = Number.MAX_SAFE_INTEGER;

export const seconds = (s: number): Micros => Math.round(s * MICROS_PER_SECOND);
export const minutes = (m: number): Micros => seconds(m * 60);
export const hours = (h: number): Micros => seconds(h * 3600);
export const toSeconds = (t: Micros): number => t / MICROS_PER_SECOND;

const UNIT_SECONDS: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const DURATION = /^(?:(\d+(?:\.\d+)?)(us|ms|s|m|h|d|w))+$/;
const PART = /(\d+(?:\.\d+)?)(us|ms|s|m|h|d|w)/g;

export type DurationResult = { ok: true; value: Micros } | { ok: false; reason: string };

/** Parses `90s`, `2h`, `1h30m`, `250ms`, `3d` (or a bare number of seconds) into microseconds. */
export function parseDuration(text: string | number): DurationResult {
  if (typeof text === 'number') {
    return Number.isFinite(text) && text >= 0
      ? { ok: true, value: seconds(text) }
      : { ok: false, reason: `a duration must be a non-negative number of seconds, got ${text}` };
  }
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) {
    return { ok: false, reason: `"${text}" is not a duration (examples: 90s, 2h, 1h30m, 250ms, 3d)` };
  }
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) total += Number(amount) * UNIT_SECONDS[unit as string]!;
  return { ok: true, value: seconds(total) };
}

/** A compact human form: `1d2h`, `3m20s`, `450ms`. */
export function formatDuration(t: Micros): string {
  if (t < MICROS_PER_SECOND) return t < 1000 ? `${t}us` : `${Math.round(t / 1000)}ms`;
  let rest = Math.round(t / MICROS_PER_SECOND);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
