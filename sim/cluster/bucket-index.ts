/** head, tail, next, prev, keyOf, nonEmpty, sizes: a BucketIndex as plain data. */
export type BucketIndexSnapshot = readonly (readonly number[])[];

/**
 * The moves of a set of bucket indexes while recording, so that undoing them puts every member back exactly where
 * it was, order inside its bucket included: a trial placement that is rolled back leaves no trace in the tie-break
 * order (moving a member back by `set` would file it at the end of its bucket instead).
 */
export class MoveLog {
  recording = false;
  private readonly indexes: BucketIndex[] = [];
  private entries: number[] = []; // index, member, old key, old predecessor

  attach(index: BucketIndex): number {
    this.indexes.push(index);
    return this.indexes.length - 1;
  }

  record(index: number, member: number, oldKey: number, oldPrev: number): void {
    this.entries.push(index, member, oldKey, oldPrev);
  }

  get length(): number {
    return this.entries.length;
  }

  /** Undoes the moves recorded since `mark`, newest first. */
  undoTo(mark: number): void {
    const e = this.entries;
    for (let i = e.length - 4; i >= mark; i -= 4) this.indexes[e[i]!]!.putBack(e[i + 1]!, e[i + 2]!, e[i + 3]!);
    e.length = mark;
  }

  clear(): void {
    this.entries = [];
  }
}

/**
 * Members (dense integer ids) filed under small integer keys, for example nodes by their count of free GPUs.
 * Moving a member is O(1) (intrusive doubly linked lists in typed arrays); finding the next non-empty key is a
 * scan of a bitmap, 32 keys per step. This is what lets placement find "the fullest node with at least k free
 * GPUs" without looking at every node.
 */
export class BucketIndex {
  private head: Int32Array; // per key: first member or -1
  private tail: Int32Array; // per key: last member or -1
  private next: Int32Array; // per member
  private prev: Int32Array;
  private keyOf: Int32Array; // per member: its key, or -1 when absent
  private nonEmpty: Uint32Array; // bit per key
  private sizes: Int32Array;

  private readonly logId: number;

  constructor(
    readonly memberCapacity: number,
    readonly maxKey: number,
    private readonly log?: MoveLog,
  ) {
    this.logId = log?.attach(this) ?? -1;
    this.head = new Int32Array(maxKey + 1).fill(-1);
    this.tail = new Int32Array(maxKey + 1).fill(-1);
    this.next = new Int32Array(memberCapacity).fill(-1);
    this.prev = new Int32Array(memberCapacity).fill(-1);
    this.keyOf = new Int32Array(memberCapacity).fill(-1);
    this.nonEmpty = new Uint32Array((maxKey >> 5) + 1);
    this.sizes = new Int32Array(maxKey + 1);
  }

  key(member: number): number {
    return this.keyOf[member]!;
  }

  has(member: number): boolean {
    return this.keyOf[member]! >= 0;
  }

  count(key: number): number {
    return key < 0 || key > this.maxKey ? 0 : this.sizes[key]!;
  }

  /**
   * Files the member under `key` (moving it if it was elsewhere); a negative key removes it. Members join the
   * end of their bucket, so a bucket lists first what has been there longest (initially: lowest id first).
   */
  set(member: number, key: number): void {
    const old = this.keyOf[member]!;
    if (old === key) return;
    if (key > this.maxKey) throw new RangeError(`bucket key ${key} exceeds ${this.maxKey}`);
    if (this.log?.recording) this.log.record(this.logId, member, old, old >= 0 ? this.prev[member]! : -1);
    if (old >= 0) this.unlink(member, old);
    if (key >= 0) this.linkAfter(member, key, this.tail[key]!);
  }

  /** Undoes one recorded move: back under `key` (none if negative), right after `prev` (first if -1). */
  putBack(member: number, key: number, prev: number): void {
    const current = this.keyOf[member]!;
    if (current >= 0) this.unlink(member, current);
    if (key >= 0) this.linkAfter(member, key, prev);
  }

  private linkAfter(member: number, key: number, last: number): void {
    const following = last >= 0 ? this.next[last]! : this.head[key]!;
    this.prev[member] = last;
    this.next[member] = following;
    if (last >= 0) this.next[last] = member;
    else this.head[key] = member;
    if (following >= 0) this.prev[following] = member;
    else this.tail[key] = member;
    this.keyOf[member] = key;
    const size = this.sizes[key]!;
    this.sizes[key] = size + 1;
    if (size === 0) this.nonEmpty[key >> 5]! |= 1 << (key & 31);
  }

  delete(member: number): void {
    this.set(member, -1);
  }

  /** The smallest non-empty key >= from, or -1. */
  nextKey(from: number): number {
    if (from < 0) from = 0;
    if (from > this.maxKey) return -1;
    let word = from >> 5;
    let bits = this.nonEmpty[word]! & (~0 << (from & 31));
    for (;;) {
      if (bits !== 0) return (word << 5) + (31 - Math.clz32(bits & -bits));
      if (++word >= this.nonEmpty.length) return -1;
      bits = this.nonEmpty[word]!;
    }
  }

  /** The largest non-empty key <= from, or -1. */
  prevKey(from: number): number {
    if (from < 0) return -1;
    if (from > this.maxKey) from = this.maxKey;
    let word = from >> 5;
    const shift = 31 - (from & 31);
    let bits = shift === 0 ? this.nonEmpty[word]! : (this.nonEmpty[word]! << shift) >>> shift;
    for (;;) {
      if (bits !== 0) return (word << 5) + 31 - Math.clz32(bits);
      if (--word < 0) return -1;
      bits = this.nonEmpty[word]!;
    }
  }

  /** First member under `key`, or -1; continue with `after(member)`. */
  first(key: number): number {
    return key < 0 || key > this.maxKey ? -1 : this.head[key]!;
  }

  after(member: number): number {
    return this.next[member]!;
  }

  *members(key: number): IterableIterator<number> {
    for (let m = this.first(key); m >= 0; m = this.next[m]!) yield m;
  }

  /** The index as plain data, its members' order in each bucket included (placement breaks ties by it). */
  snapshot(): BucketIndexSnapshot {
    const { head, tail, next, prev, keyOf, nonEmpty, sizes } = this;
    return [head, tail, next, prev, keyOf, nonEmpty, sizes].map((a) => Array.from(a));
  }

  /** Takes the state of a snapshot of an index of the same size. */
  restore(s: BucketIndexSnapshot): void {
    const arrays = [this.head, this.tail, this.next, this.prev, this.keyOf, this.nonEmpty, this.sizes];
    if (s.length !== arrays.length || arrays.some((a, i) => a.length !== s[i]!.length))
      throw new RangeError('bucket index snapshot of another size');
    arrays.forEach((a, i) => a.set(s[i]!));
  }

  /** A copy recording into `log` (the copy's owner's), or into none. */
  clone(log?: MoveLog): BucketIndex {
    const copy = Object.create(BucketIndex.prototype) as BucketIndex;
    Object.assign(copy, this, {
      log,
      logId: log?.attach(copy) ?? -1,
      head: this.head.slice(),
      tail: this.tail.slice(),
      next: this.next.slice(),
      prev: this.prev.slice(),
      keyOf: this.keyOf.slice(),
      nonEmpty: this.nonEmpty.slice(),
      sizes: this.sizes.slice(),
    });
    return copy;
  }

  private unlink(member: number, key: number): void {
    const before = this.prev[member]!;
    const after = this.next[member]!;
    if (before >= 0) this.next[before] = after;
    else this.head[key] = after;
    if (after >= 0) this.prev[after] = before;
    else this.tail[key] = before;
    this.keyOf[member] = -1;
    const size = this.sizes[key]! - 1;
    this.sizes[key] = size;
    if (size === 0) this.nonEmpty[key >> 5]! &= ~(1 << (key & 31));
  }
}
