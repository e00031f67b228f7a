import { describe, expect, it } from 'vitest';
import { Simulation, dispatchTo, seconds, type Handlers } from '../../sim/engine/index.ts';

type Ev = { readonly type: 'arrive'; readonly id: number } | { readonly type: 'depart'; readonly id: number };

/** A small queueing model: arrivals at exponential gaps, each departs after a lognormal service time. */
function model(seed: number, arrivals = 200) {
  const sim = new Simulation<Ev>({ seed });
  const trace: string[] = [];
  let next = 0;
  const handlers: Handlers<Ev, Simulation<Ev>> = {
    arrive: (e, s) => {
      trace.push(`${s.now} arrive ${e.id}`);
      s.after(seconds(s.random.lognormal(2, 0.7)), { type: 'depart', id: e.id });
      if (++next < arrivals) s.after(seconds(s.random.exponential(5)), { type: 'arrive', id: next });
    },
    depart: (e, s) => void trace.push(`${s.now} depart ${e.id}`),
  };
  sim.bind(dispatchTo(handlers, sim));
  sim.at(0, { type: 'arrive', id: 0 });
  return { sim, trace, handlers };
}

describe('Simulation', () => {
  it('gives the identical event trace for the same seed, and a different one for another seed', () => {
    const a = model(11);
    const b = model(11);
    const c = model(12);
    a.sim.run();
    b.sim.run();
    c.sim.run();
    expect(a.trace.length).toBe(400);
    expect(a.trace).toEqual(b.trace);
    expect(c.trace).not.toEqual(a.trace);
  });

  it('steps, runs until a time (inclusive) and leaves the clock there', () => {
    const { sim, trace } = model(5);
    expect(sim.step()).toBe(true);
    expect(trace).toEqual(['0 arrive 0']);
    const t = seconds(60);
    const ran = sim.runUntil(t);
    expect(ran).toBeGreaterThan(0);
    expect(sim.now).toBe(t);
    expect(sim.nextEventTime()! > t).toBe(true);
    expect(sim.processedEvents).toBe(ran + 1);
    expect(sim.run(3)).toBe(3);
  });

  it('refuses to schedule in the past and cancels scheduled events', () => {
    const { sim } = model(5);
    sim.runUntil(seconds(10));
    expect(() => sim.at(seconds(9), { type: 'arrive', id: 99 })).toThrow(/clock is at/);
    const h = sim.after(seconds(1), { type: 'depart', id: 99 });
    expect(sim.isScheduled(h)).toBe(true);
    expect(sim.cancel(h)).toBe(true);
    expect([...sim.pending()].some((p) => p.payload.id === 99)).toBe(false);
  });

  it('tells typed observers what happened, in order', () => {
    const { sim } = model(5, 3);
    const seen: string[] = [];
    sim.observers.on('processed', (event, time) => seen.push(`${time}:${event.type}`));
    let advanced = 0;
    sim.observers.on('advanced', () => advanced++);
    sim.run();
    expect(seen.length).toBe(6);
    expect(seen[0]).toBe('0:arrive');
    expect(advanced).toBeGreaterThan(0);
  });

  it('forks: the fork runs ahead without disturbing the original, and both stay deterministic', () => {
    const original = model(21);
    original.sim.runUntil(seconds(100));
    const forkSim = original.sim.fork();
    const forkTrace: string[] = [];
    forkSim.bind((e) => forkTrace.push(`${forkSim.now} ${e.type} ${e.id}`));
    forkSim.run();
    const pendingBefore = original.sim.pendingEvents;
    expect(pendingBefore).toBeGreaterThan(0);
    expect(forkSim.pendingEvents).toBe(0);
    // The original continues exactly as an unforked twin does.
    const twin = model(21);
    twin.sim.runUntil(seconds(100));
    original.sim.run();
    twin.sim.run();
    expect(original.trace).toEqual(twin.trace);
    expect(original.sim.randomState()).toEqual(twin.sim.randomState());
  });

  it('fails loudly without a dispatcher, rather than dropping events', () => {
    const sim = new Simulation<Ev>();
    sim.at(1, { type: 'arrive', id: 1 });
    expect(() => sim.step()).toThrow(/no dispatcher/);
    expect(sim.pendingEvents).toBe(1);
  });
});
