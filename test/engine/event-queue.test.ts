import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, MAX_PRIORITY, MIN_PRIORITY } from '../../sim/engine/index.ts';

function drain<E>(queue: EventQueue<E>): { time: number; payload: E }[] {
  const out: { time: number; payload: E }[] = [];
  for (let time = queue.peekTime(); time !== undefined; time = queue.peekTime())
    out.push({ time, payload: queue.pop() as E });
  return out;
}

describe('EventQueue', () => {
  it('pops by time, then priority, then insertion order', () => {
    const queue = new EventQueue<string>();
    queue.push(20, 'late');
    queue.push(10, 'b', 0);
    queue.push(10, 'a', -1);
    queue.push(10, 'c', 0);
    queue.push(5, 'first', 3);
    expect(drain(queue).map((e) => e.payload)).toEqual(['first', 'a', 'b', 'c', 'late']);
  });

  it('cancels pending events and ignores stale or foreign handles', () => {
    const queue = new EventQueue<string>();
    const a = queue.push(1, 'a');
    const b = queue.push(2, 'b');
    expect(queue.cancel(b)).toBe(true);
    expect(queue.cancel(b)).toBe(false);
    expect(queue.isScheduled(a)).toBe(true);
    expect(queue.size).toBe(1);
    expect(queue.pop()).toBe('a');
    expect(queue.cancel(a)).toBe(false);
    // The slot of `a` is reused by `c`; the old handle must not cancel the new event.
    const c = queue.push(3, 'c');
    expect(queue.cancel(a)).toBe(false);
    expect(queue.isScheduled(c)).toBe(true);
    expect(queue.cancel(-1)).toBe(false);
    expect(queue.cancel(1.5)).toBe(false);
    expect(queue.cancel(2 ** 60)).toBe(false);
    expect(drain(queue).map((e) => e.payload)).toEqual(['c']);
  });

  it('rejects priorities outside its range', () => {
    const queue = new EventQueue<string>();
    expect(() => queue.push(1, 'x', MAX_PRIORITY + 1)).toThrow(RangeError);
    expect(() => queue.push(1, 'x', MIN_PRIORITY - 1)).toThrow(RangeError);
    expect(() => queue.push(1, 'x', 0.5)).toThrow(RangeError);
    expect(queue.size).toBe(0);
  });

  it('grows past its initial capacity and compacts after mass cancellation', () => {
    const queue = new EventQueue<number>(16);
    const handles = Array.from({ length: 20_000 }, (_, i) => queue.push(20_000 - i, i));
    for (let i = 0; i < handles.length; i += 2) expect(queue.cancel(handles[i]!)).toBe(true);
    expect(queue.size).toBe(10_000);
    const popped = drain(queue);
    expect(popped.map((e) => e.payload)).toEqual(Array.from({ length: 10_000 }, (_, i) => 19_999 - 2 * i));
  });

  it('clones deeply: the copy and the original evolve independently', () => {
    const queue = new EventQueue<{ n: number }>();
    queue.push(1, { n: 1 });
    const h = queue.push(2, { n: 2 });
    const copy = queue.clone();
    copy.cancel(h);
    (copy.peek() as { n: number }).n = 99;
    copy.push(0, { n: 0 });
    expect(drain(queue).map((e) => e.payload.n)).toEqual([1, 2]);
    expect(drain(copy).map((e) => e.payload.n)).toEqual([0, 99]);
  });

  it('matches a sorted reference under random pushes, pops and cancels', () => {
    type Op = { kind: 'push'; time: number; priority: number } | { kind: 'pop' } | { kind: 'cancel'; pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('push' as const),
        time: fc.integer({ min: 0, max: 50 }),
        priority: fc.integer({ min: -3, max: 3 }),
      }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new EventQueue<number>(16);
        const reference: { time: number; priority: number; seq: number; handle: number }[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.kind === 'push') {
            const handle = queue.push(o.time, seq, o.priority);
            reference.push({ time: o.time, priority: o.priority, seq: seq++, handle });
          } else if (o.kind === 'pop') {
            reference.sort((a, b) => a.time - b.time || a.priority - b.priority || a.seq - b.seq);
            const expected = reference.shift();
            expect(queue.pop()).toBe(expected?.seq);
          } else if (reference.length > 0) {
            const [victim] = reference.splice(o.pick % reference.length, 1);
            expect(queue.cancel(victim!.handle)).toBe(true);
          }
          expect(queue.size).toBe(reference.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});
