import { finalise } from '../config/stable-uuid.ts';

/**
 * Positions in a table (an array the caller keeps) found by a string key: an open-addressing hash index over an
 * Int32Array of (hash, position) slots. The key itself stays in the table's record, read back through `keyAt`
 * only when a slot's hash matches.
 *
 * Why not a Map: the model indexes every workload it ever created by id, and every active one by name, and a
 * POST adds one to each. In a Map of 100k+ string keys an insert walks bucket chains through key strings scattered
 * over the heap; under load those cache and TLB misses cost microseconds per request. Here a probe reads
 * neighbouring integers, and the collector has no pointers to trace in the index.
 */
export class KeyIndex {
  /** Slot i is `slots[2i]` (the key's hash) and `slots[2i + 1]` (position + 1; EMPTY or REMOVED otherwise). */
  private slots: Int32Array;
  private live = 0;
  private removed = 0;

  constructor(
    private readonly keyAt: (position: number) => string,
    private readonly hash: (key: string) => number = mixedFnv1a,
  ) {
    this.slots = new Int32Array(2 * 16);
  }

  get size(): number {
    return this.live;
  }

  /** The position of `key`, or -1. */
  find(key: string): number {
    const slot = this.slotOf(key, this.hash(key) | 0);
    return slot < 0 ? -1 : this.slots[slot + 1]! - 1;
  }

  /** Indexes `key` at `position`; the key must not be indexed already. */
  add(key: string, position: number): void {
    if (2 * (this.live + this.removed + 1) > this.slots.length / 2) this.resize();
    this.place(this.hash(key) | 0, position + 1);
    this.live++;
  }

  /** Forgets `key`; whether it was indexed. */
  remove(key: string): boolean {
    const slot = this.slotOf(key, this.hash(key) | 0);
    if (slot < 0) return false;
    this.slots[slot + 1] = REMOVED;
    this.live--;
    this.removed++;
    return true;
  }

  /** An independent copy that reads keys through another table (a copy of this one's). */
  copy(keyAt: (position: number) => string): KeyIndex {
    const copy = new KeyIndex(keyAt, this.hash);
    copy.slots = this.slots.slice();
    copy.live = this.live;
    copy.removed = this.removed;
    return copy;
  }

  /** The slot holding `key` (its hash slot's index in `slots`), or -1. */
  private slotOf(key: string, hash: number): number {
    const slots = this.slots;
    const mask = slots.length / 2 - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const value = slots[2 * i + 1]!;
      if (value === EMPTY) return -1;
      if (value !== REMOVED && slots[2 * i] === hash && this.keyAt(value - 1) === key) return 2 * i;
    }
  }

  /** Puts an entry in the first free slot of its probe sequence (removed slots are reused). */
  private place(hash: number, value: number): void {
    const slots = this.slots;
    const mask = slots.length / 2 - 1;
    let i = hash & mask;
    while (slots[2 * i + 1] !== EMPTY && slots[2 * i + 1] !== REMOVED) i = (i + 1) & mask;
    if (slots[2 * i + 1] === REMOVED) this.removed--;
    slots[2 * i] = hash;
    slots[2 * i + 1] = value;
  }

  /** Keeps the table at most half full, counting removed slots (which lengthen probes): double it, or sweep them. */
  private resize(): void {
    const old = this.slots;
    const capacity = old.length / 2;
    this.slots = new Int32Array(2 * (4 * (this.live + 1) > capacity ? 2 * capacity : capacity));
    this.removed = 0;
    for (let i = 0; i < old.length; i += 2)
      if (old[i + 1] !== EMPTY && old[i + 1] !== REMOVED) this.place(old[i]!, old[i + 1]!);
  }
}

const EMPTY = 0;
const REMOVED = -1;

/**
 * FNV-1a over the key's characters, then murmur3's finaliser so that every character reaches the low bits a probe
 * starts from: a few nanoseconds for a workload id or name.
 */
function mixedFnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return finalise(h);
}
