import type { Micros } from '../../../sim/engine/index.ts';

/**
 * Simulated instants as the API's date-time strings: simulated time 0 is the wall-clock moment the cluster was
 * first started (kept in the journal), so dates stay stable across restarts.
 */
export class ClockFormat {
  constructor(private readonly epochMs: number) {}

  iso(at: Micros): string {
    return new Date(this.epochMs + Math.floor(at / 1000)).toISOString();
  }

  isoOrNull(at: Micros | null): string | null {
    return at === null ? null : this.iso(at);
  }
}
