import type { Micros } from './time.ts';

/**
 * An opaque reference to a scheduled event, for cancelling it. It stays safe after the event ran: a stale
 * handle cancels nothing, because the slot's generation has moved on.
 */
export type EventHandle = number;

/** Same-time events run lowest priority first; the range keeps (priority, sequence) packed in one double. */
export const MIN_PRIORITY = -1024;
export const MAX_PRIORITY = 1023;

const SLOT_SPACE = 2 ** 24; // handle = generation * SLOT_SPACE + slot
const GENERATION_SPACE = 2 ** 28;
const SEQUENCE_SPACE = 2 ** 40; // order key = (priority - MIN_PRIORITY) * SEQUENCE_SPACE + sequence
const COMPACT_AFTER = 4096; // cancelled entries tolerated before a compaction is considered

/**
 * The queue's whole state as plain data (see `EventQueue.snapshot`): the heap as it is laid out, slot generations
 * and the free list, so a restored queue pops in the same order and hands out the same handles.
 */
export interface EventQueueSnapshot<E> {
  readonly capacity: number;
  /** (time, order) of each heap entry, interleaved. */
  readonly keys: readonly number[];
  readonly entrySlot: readonly number[];
  readonly generations: readonly number[];
  readonly alive: readonly number[];
  /** [slot, payload] of the slots holding one. */
  readonly payloads: readonly (readonly [number, E])[];
  readonly free: readonly number[];
  readonly dead: number;
  readonly sequence: number;
}

/**
 * A binary min-heap of events ordered by (time, priority, insertion sequence): a total order, so two runs that
 * schedule the same events pop them in the same order.
 *
 * Layout for speed: each heap entry keeps its sort keys inline and interleaved (time, order) in one typed array,
 * so a sift touches one cache line per level and allocates nothing. The payload lives in a slot the entry points to; a handle names
 * the slot and its generation. Cancellation is lazy: the slot is marked dead and skipped when it reaches the
 * top, and the heap is compacted when dead entries (more than a few thousand) outnumber the living.
 */
export class EventQueue<E> {
  private keys: Float64Array; // entry i: keys[2i] = time, keys[2i + 1] = order (priority, sequence)
  private entrySlot: Int32Array;
  private entries = 0;
  private generations: Uint32Array;
  private alive: Uint8Array;
  private payloads: (E | undefined)[];
  private free: Int32Array;
  private freeCount: number;
  private dead = 0;
  private sequence = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.keys = new Float64Array(2 * capacity);
    this.entrySlot = new Int32Array(capacity);
    this.generations = new Uint32Array(capacity);
    this.alive = new Uint8Array(capacity);
    this.payloads = new Array<E | undefined>(capacity).fill(undefined);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeCount = capacity;
  }

  /** Events waiting to run (cancelled ones excluded). */
  get size(): number {
    return this.entries - this.dead;
  }

  /** Time of the next event, or undefined when empty. */
  peekTime(): Micros | undefined {
    this.dropDeadTop();
    return this.entries === 0 ? undefined : this.keys[0];
  }

  peek(): E | undefined {
    this.dropDeadTop();
    return this.entries === 0 ? undefined : this.payloads[this.entrySlot[0]!];
  }

  push(time: Micros, payload: E, priority = 0): EventHandle {
    if (priority !== 0 && !(priority >= MIN_PRIORITY && priority <= MAX_PRIORITY && Number.isInteger(priority))) {
      throw new RangeError(`event priority must be an integer in [${MIN_PRIORITY}, ${MAX_PRIORITY}], got ${priority}`);
    }
    if (this.freeCount === 0) this.grow();
    const slot = this.free[--this.freeCount]!;
    this.alive[slot] = 1;
    this.payloads[slot] = payload;
    if (this.sequence === SEQUENCE_SPACE) throw new RangeError('event sequence exhausted (2^40 events scheduled)');
    const order = (priority - MIN_PRIORITY) * SEQUENCE_SPACE + this.sequence++;
    this.siftUp(this.entries++, time, order, slot);
    return this.generations[slot]! * SLOT_SPACE + slot;
  }

  /** Time of the event the last `pop()` returned. */
  poppedTime: Micros = 0;

  /** Removes and returns the earliest event (its time is then in `poppedTime`); `undefined` when empty. */
  pop(): E | undefined {
    this.dropDeadTop();
    if (this.entries === 0) return undefined;
    const slot = this.entrySlot[0]!;
    this.poppedTime = this.keys[0]!;
    const payload = this.payloads[slot];
    this.removeTop();
    this.release(slot);
    return payload;
  }

  /** Cancels a scheduled event. Returns false when it already ran, was cancelled, or the handle is foreign. */
  cancel(handle: EventHandle): boolean {
    if (!this.isScheduled(handle)) return false;
    const slot = handle % SLOT_SPACE;
    this.alive[slot] = 0;
    this.payloads[slot] = undefined;
    this.dead++;
    if (this.dead > COMPACT_AFTER && this.dead * 2 > this.entries) this.compact();
    return true;
  }

  /** True while the event behind the handle is still waiting to run. */
  isScheduled(handle: EventHandle): boolean {
    if (!Number.isSafeInteger(handle) || handle < 0) return false;
    const slot = handle % SLOT_SPACE;
    return (
      slot < this.alive.length && this.alive[slot] === 1 && this.generations[slot] === Math.floor(handle / SLOT_SPACE)
    );
  }

  /** An independent copy: payloads are deep-copied, so a fork can never disturb the original's events. */
  clone(): EventQueue<E> {
    const copy = Object.create(EventQueue.prototype) as EventQueue<E>;
    Object.assign(copy, this, {
      keys: this.keys.slice(),
      entrySlot: this.entrySlot.slice(),
      generations: this.generations.slice(),
      alive: this.alive.slice(),
      payloads: structuredClone(this.payloads),
      free: this.free.slice(),
    });
    return copy;
  }

  /** Plain data for `restore` (payloads must be plain data too: they are copied as they are). */
  snapshot(): EventQueueSnapshot<E> {
    const payloads: [number, E][] = [];
    this.payloads.forEach((payload, slot) => {
      if (payload !== undefined) payloads.push([slot, payload]);
    });
    return {
      capacity: this.entrySlot.length,
      keys: Array.from(this.keys.subarray(0, 2 * this.entries)),
      entrySlot: Array.from(this.entrySlot.subarray(0, this.entries)),
      generations: Array.from(this.generations),
      alive: Array.from(this.alive),
      payloads,
      free: Array.from(this.free.subarray(0, this.freeCount)),
      dead: this.dead,
      sequence: this.sequence,
    };
  }

  /** The queue a snapshot was taken of: same layout, so same pop order and same handles. */
  static restore<E>(s: EventQueueSnapshot<E>): EventQueue<E> {
    const queue = new EventQueue<E>(s.capacity);
    if (queue.entrySlot.length !== s.capacity) throw new RangeError(`bad event queue capacity ${s.capacity}`);
    queue.keys.set(s.keys);
    queue.entrySlot.set(s.entrySlot);
    queue.entries = s.entrySlot.length;
    queue.generations.set(s.generations);
    queue.alive.set(s.alive);
    for (const [slot, payload] of s.payloads) queue.payloads[slot] = payload;
    queue.free.set(s.free);
    queue.freeCount = s.free.length;
    queue.dead = s.dead;
    queue.sequence = s.sequence;
    return queue;
  }

  /** Pending events in the order they will run (for inspection and tests; O(n log n)). */
  *pending(): IterableIterator<{ time: Micros; payload: E }> {
    const live: number[] = [];
    for (let i = 0; i < this.entries; i++) if (this.alive[this.entrySlot[i]!] === 1) live.push(i);
    live.sort((a, b) => this.keys[2 * a]! - this.keys[2 * b]! || this.keys[2 * a + 1]! - this.keys[2 * b + 1]!);
    for (const i of live) yield { time: this.keys[2 * i]!, payload: this.payloads[this.entrySlot[i]!] as E };
  }

  private dropDeadTop(): void {
    if (this.dead === 0) return;
    while (this.entries > 0 && this.alive[this.entrySlot[0]!] === 0) {
      const slot = this.entrySlot[0]!;
      this.removeTop();
      this.release(slot);
      this.dead--;
    }
  }

  private release(slot: number): void {
    this.alive[slot] = 0;
    this.payloads[slot] = undefined;
    this.generations[slot] = (this.generations[slot]! + 1) & (GENERATION_SPACE - 1);
    this.free[this.freeCount++] = slot;
  }

  /** Places (time, order, slot) at the hole `at` or above it. */
  private siftUp(start: number, time: number, order: number, slot: number): void {
    const { keys, entrySlot } = this;
    let at = start;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const parentTime = keys[2 * parent]!;
      if (parentTime < time || (parentTime === time && keys[2 * parent + 1]! < order)) break;
      keys[2 * at] = parentTime;
      keys[2 * at + 1] = keys[2 * parent + 1]!;
      entrySlot[at] = entrySlot[parent]!;
      at = parent;
    }
    keys[2 * at] = time;
    keys[2 * at + 1] = order;
    entrySlot[at] = slot;
  }

  /**
   * Bottom-up removal of the top: walk the hole down along smaller children to a leaf (one comparison per level),
   * then sift the former last entry up from there. It usually belongs near the bottom, so this halves the
   * comparisons of the textbook sift-down.
   */
  private removeTop(): void {
    const { keys, entrySlot } = this;
    const last = --this.entries;
    let hole = 0;
    for (let child = 1; child < last; child = 2 * hole + 1) {
      const right = child + 1;
      if (
        right < last &&
        (keys[2 * right]! < keys[2 * child]! ||
          (keys[2 * right] === keys[2 * child] && keys[2 * right + 1]! < keys[2 * child + 1]!))
      ) {
        child = right;
      }
      keys[2 * hole] = keys[2 * child]!;
      keys[2 * hole + 1] = keys[2 * child + 1]!;
      entrySlot[hole] = entrySlot[child]!;
      hole = child;
    }
    if (hole !== last) this.siftUp(hole, keys[2 * last]!, keys[2 * last + 1]!, entrySlot[last]!);
  }

  /** Drops dead entries and rebuilds the heap (Floyd, O(n)); the total order makes the result pop identically. */
  private compact(): void {
    const { keys, entrySlot } = this;
    let kept = 0;
    for (let i = 0; i < this.entries; i++) {
      const slot = entrySlot[i]!;
      if (this.alive[slot] === 0) {
        this.release(slot);
        continue;
      }
      keys[2 * kept] = keys[2 * i]!;
      keys[2 * kept + 1] = keys[2 * i + 1]!;
      entrySlot[kept] = slot;
      kept++;
    }
    this.entries = kept;
    this.dead = 0;
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.siftDownFrom(i);
  }

  private siftDownFrom(start: number): void {
    const { keys, entrySlot } = this;
    const time = keys[2 * start]!;
    const order = keys[2 * start + 1]!;
    const slot = entrySlot[start]!;
    let at = start;
    for (let child = 2 * at + 1; child < this.entries; child = 2 * at + 1) {
      const right = child + 1;
      if (
        right < this.entries &&
        (keys[2 * right]! < keys[2 * child]! ||
          (keys[2 * right] === keys[2 * child] && keys[2 * right + 1]! < keys[2 * child + 1]!))
      ) {
        child = right;
      }
      if (time < keys[2 * child]! || (time === keys[2 * child] && order < keys[2 * child + 1]!)) break;
      keys[2 * at] = keys[2 * child]!;
      keys[2 * at + 1] = keys[2 * child + 1]!;
      entrySlot[at] = entrySlot[child]!;
      at = child;
    }
    keys[2 * at] = time;
    keys[2 * at + 1] = order;
    entrySlot[at] = slot;
  }

  private grow(): void {
    const old = this.entrySlot.length;
    const capacity = old * 2;
    if (capacity > SLOT_SPACE) throw new RangeError(`event queue is full (${old} pending events)`);
    const widen = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.keys = widen(this.keys, new Float64Array(2 * capacity));
    this.entrySlot = widen(this.entrySlot, new Int32Array(capacity));
    this.generations = widen(this.generations, new Uint32Array(capacity));
    this.alive = widen(this.alive, new Uint8Array(capacity));
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity - old; i++) this.free[i] = capacity - 1 - i;
    this.freeCount = capacity - old;
    this.payloads.length = capacity;
    this.payloads.fill(undefined, old);
  }
}
