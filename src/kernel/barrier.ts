// Barrier over the shared control block for the pool tasks of one engine: spin briefly (cheap when
// every task has a core), then Atomics.wait (when ranks outnumber cores). No timeouts: a failing
// task raises the abort flag, which wakes the waiters and makes them throw.

import { Ctl } from './control.ts';

/** Spins before sleeping: a few microseconds, long enough for a peer on another core to arrive. */
const SPIN = 2000;

export class AbortedByPeerError extends Error {
  constructor(readonly code: number) {
    super('aborted: another rank failed or the request was cancelled');
    this.name = 'AbortedByPeerError';
  }
}

export class Barrier {
  private readonly count: number;
  private readonly generation: number;
  private readonly abortWord: number;

  constructor(
    private readonly i32: Int32Array,
    control: number,
    private readonly participants: number,
  ) {
    this.count = control + Ctl.barrierCount;
    this.generation = control + Ctl.barrierGeneration;
    this.abortWord = control + Ctl.abort;
  }

  /** Throws if the request was aborted; call between phases too, so a failure stops work early. */
  checkAbort(): void {
    const code = Atomics.load(this.i32, this.abortWord);
    if (code !== 0) throw new AbortedByPeerError(code);
  }

  /** Waits until all participants arrive (sense-reversing on the generation word). */
  wait(): void {
    this.checkAbort();
    if (this.participants === 1) return;
    const { i32 } = this;
    const gen = Atomics.load(i32, this.generation);
    if (Atomics.add(i32, this.count, 1) === this.participants - 1) {
      Atomics.store(i32, this.count, 0);
      Atomics.add(i32, this.generation, 1);
      Atomics.notify(i32, this.generation);
      return;
    }
    for (let spin = 0; Atomics.load(i32, this.generation) === gen; spin++) {
      if (spin >= SPIN) Atomics.wait(i32, this.generation, gen);
    }
    // The generation also moves when the abort flag is raised; the flag is set first.
    this.checkAbort();
  }
}
