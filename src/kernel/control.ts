// Words of the control block at the start of the shared memory: barrier state, the abort flag that
// every waiter checks, generation progress, and timestamps (float64) written by the sampling rank.

/** Int32 word offsets from MemoryPlan.control. */
export const Ctl = {
  barrierCount: 0,
  barrierGeneration: 1,
  /** 0 = running; otherwise an AbortCode. Set before the generation word is bumped. */
  abort: 2,
  /** Rank that failed first (-1 when none). */
  failedRank: 3,
  /** Tokens generated so far in the current request; the main thread waits on this word. */
  tokenCount: 4,
  /** 1 once the request is complete (EOS or token budget). */
  stop: 5,
} as const;

export const AbortCode = { none: 0, rankFailed: 1, cancelled: 2 } as const;
export type AbortCodeValue = (typeof AbortCode)[keyof typeof AbortCode];

/** Float64 slots (8-byte aligned, in the upper half of the control block). */
export const Clock = { start: 0, firstToken: 1, lastToken: 2 } as const;
export const CLOCK_WORD = 32;

export function clockView(buffer: SharedArrayBuffer, control: number): Float64Array {
  return new Float64Array(buffer, (control + CLOCK_WORD) * 4, 8);
}

/** Resets the control block for a new request; only called while no rank is running. */
export function resetControl(i32: Int32Array, control: number): void {
  for (const word of Object.values(Ctl)) Atomics.store(i32, control + word, 0);
  Atomics.store(i32, control + Ctl.failedRank, -1);
}

/**
 * Raises the abort flag and wakes every barrier waiter. The generation word changes too, so a waiter
 * that read the old generation just before the flag was raised does not go to sleep on it.
 */
export function raiseAbort(i32: Int32Array, control: number, code: AbortCodeValue): void {
  Atomics.compareExchange(i32, control + Ctl.abort, AbortCode.none, code);
  Atomics.add(i32, control + Ctl.barrierGeneration, 1);
  Atomics.notify(i32, control + Ctl.barrierGeneration);
}
