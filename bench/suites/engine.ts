import { Bench } from 'tinybench';
import { Random, Simulation, dispatchTo, type Handlers } from '../../sim/engine/index.ts';
import type { BenchSuite } from '../suite.ts';
import { medianMs } from '../stats.ts';

const EVENTS = 1_000_000;
/** The headline population: lwsim's models keep on the order of a thousand events pending (timers, pod steps). */
const HEADLINE_PENDING = 1_000;

type TickEvent = { readonly type: 'tick'; readonly n: number };

/**
 * The hold model, the classic event-set benchmark: a steady population of pending events, each processed event
 * scheduling its successor a random delay later, until a million events have gone through the queue. Events
 * are routed through typed handlers, as lwsim's models route them.
 */
function holdModel(seed: number, pending: number): number {
  const sim = new Simulation<TickEvent>({ seed });
  const random = new Random(seed);
  let processed = 0;
  const handlers: Handlers<TickEvent, null> = {
    tick: (event) => {
      processed++;
      if (processed + pending <= EVENTS) sim.after(1 + random.int(0, 1_000_000), { type: 'tick', n: event.n + 1 });
    },
  };
  sim.bind(dispatchTo(handlers, null));
  for (let i = 0; i < pending; i++) sim.at(random.int(0, 1_000_000), { type: 'tick', n: 0 });
  sim.run();
  return processed;
}

/** The other extreme: all million events scheduled up front at random times, then run to exhaustion. */
function allPending(seed: number): number {
  const sim = new Simulation<TickEvent>({ seed });
  let sum = 0;
  sim.bind((event) => void (sum += event.n));
  const random = new Random(seed);
  for (let i = 0; i < EVENTS; i++) sim.at(random.int(0, 3_600_000_000), { type: 'tick', n: i });
  sim.run();
  return sum;
}

const suite: BenchSuite = {
  name: 'engine',
  description: `${EVENTS.toLocaleString('en')} events through the discrete-event engine (hold model at several queue sizes)`,
  async run(log) {
    const bench = new Bench({ iterations: 9, warmupIterations: 2, time: 0, warmupTime: 0 });
    let seed = 1;
    const tasks = [
      ['hold, 1k pending', () => holdModel(seed++, HEADLINE_PENDING)],
      ['hold, 10k pending', () => holdModel(seed++, 10_000)],
      ['hold, 100k pending', () => holdModel(seed++, 100_000)],
      ['1M scheduled up front', () => allPending(seed++)],
    ] as const;
    for (const [name, fn] of tasks) bench.add(name, () => void fn());
    await bench.run();
    const rate = (name: string): number => Math.round(EVENTS / (medianMs(bench, name) / 1000));
    const figures = {
      eventsPerSecond: rate('hold, 1k pending'),
      eventsPerSecond10kPending: rate('hold, 10k pending'),
      eventsPerSecond100kPending: rate('hold, 100k pending'),
      eventsPerSecondAllScheduledUpFront: rate('1M scheduled up front'),
      events: EVENTS,
      target: 5_000_000,
    };
    for (const [name] of tasks) log(`engine: ${name}: ${(rate(name) / 1e6).toFixed(2)}M events/s`);
    return { ...figures, meetsTarget: figures.eventsPerSecond >= figures.target };
  },
};

export default suite;
