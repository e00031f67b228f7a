import type { Micros } from '../../../sim/engine/index.ts';

/**
 * Simulated instants as the API's date-time strings: simulated time 0 is the wall-clock moment the cluster was
 * first started (kept in the journal), so dates stay stable across restarts.
 */
export class ClockFormat {
  // The last instant formatted: replies in a burst mostly name the same millisecond, and formatting a Date costs
  // more than the rest of a small reply.
  private lastMs = Number.NaN;
  private lastIso = '';

  constructor(private readonly epochMs: number) {}

  iso(at: Micros): string {
    const ms = this.epochMs + Math.floor(at / 1000);
    if (ms !== this.lastMs) {
      this.lastIso = new Date(ms).toISOString();
      this.lastMs = ms;
    }
    return this.lastIso;
  }

  /** The simulated instant of an API date-time (any ISO 8601 form `Date.parse` reads). */
  micros(iso: string): Micros {
    return (Date.parse(iso) - this.epochMs) * 1000;
  }

  isoOrNull(at: Micros | null): string | null {
    return at === null ? null : this.iso(at);
  }
}
