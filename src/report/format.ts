/**
 * Number formatting for the human-facing reports. A fixed locale keeps report.md byte-identical on every machine.
 */

const NONE = '–';
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

const UNITS: readonly { readonly suffix: string; readonly seconds: number }[] = [
  { suffix: 'd', seconds: 86_400 },
  { suffix: 'h', seconds: 3_600 },
  { suffix: 'm', seconds: 60 },
  { suffix: 's', seconds: 1 },
];

/** A duration as its two largest units: 45s, 3m 20s, 1h 3m, 2d 4h; under ten seconds keeps one decimal. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return NONE;
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  if (seconds === 0) return '0s';
  if (seconds < 0.1) return '<0.1s';
  if (seconds < 10) return `${oneDecimal.format(seconds)}s`;
  // Round once to whole seconds (or whole minutes past an hour) so 59.7s reads 1m, not 60s.
  let rest = seconds >= 3_600 ? Math.round(seconds / 60) * 60 : Math.round(seconds);
  const parts: string[] = [];
  for (const unit of UNITS) {
    if (parts.length === 2) break;
    const n = Math.floor(rest / unit.seconds);
    rest -= n * unit.seconds;
    if (n > 0) parts.push(`${n}${unit.suffix}`);
    else if (parts.length > 0) break; // "2h", not "2h 0m"
  }
  return parts.join(' ');
}

/** GPUs with at most one decimal: 12, 12.3, 1,024. */
export function formatGpus(gpus: number): string {
  return Number.isFinite(gpus) ? oneDecimal.format(gpus) : NONE;
}

export function formatCount(n: number): string {
  return Number.isFinite(n) ? integer.format(n) : NONE;
}

/** A per-second rate: whole numbers once there are enough of them to not need a decimal. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return NONE;
  return perSecond >= 100 ? integer.format(perSecond) : oneDecimal.format(perSecond);
}

/** `part` as a share of `whole`, one decimal; a dash when there is no whole to share. */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part)) return NONE;
  return `${oneDecimal.format((100 * part) / whole)}%`;
}

/** Wall-clock seconds of a run: milliseconds below a second, else seconds with two decimals. */
export function formatWallSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return NONE;
  if (seconds < 1) return `${integer.format(seconds * 1000)} ms`;
  return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(seconds)} s`;
}

/** The unit a time axis reads best in, for a span of simulated seconds. */
export function timeAxisUnit(spanSeconds: number): { readonly label: string; readonly seconds: number } {
  if (spanSeconds >= 3 * 86_400) return { label: 'days', seconds: 86_400 };
  if (spanSeconds >= 3 * 3_600) return { label: 'hours', seconds: 3_600 };
  if (spanSeconds >= 3 * 60) return { label: 'minutes', seconds: 60 };
  return { label: 'seconds', seconds: 1 };
}

export { NONE };
