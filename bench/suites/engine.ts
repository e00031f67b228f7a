import { Bench } from 'tinybench';
import { EventQueue, Random, Simulation, dispatchTo, type Handlers } from '../../sim/engine/index.ts';
import type { BenchSuite } from '../suite.ts';
import { medianMs } from '../stats.ts';

const EVENTS = 1_000_000;

type TickEvent = { readonly type: 'tick'; readonly n: number };

/** Schedules a million events at random times up front, then runs the simulation to exhaustion. */
function scheduleAndRun(seed: number): number {
  const sim = new Simulation<TickEvent>({ seed });
  let sum = 0;
  const handlers: Handlers<TickEvent, null> = { tick: (event) => { sum += event.n; } };
  sim.bind(dispatchTo(handlers, null));
  const random = new Random(seed);
  for (let i = 0; i < EVENTS; i++) sim.at(random.int(0, 3_600_000_000), { type: 'tick', n: i });
  sim.run();
  return sum;
}

/**
 * The hold model, the classic event-queue benchmark: a steady population of pending events, each processed event
 * scheduling its successor. It is the shape of a long replay, where the queue stays small and the clock moves.
 */
function holdModel(seed: number, population: number): number {
  const sim = new Simulation<TickEvent>({ seed });
  const random = new Random(seed);
  let processed = 0;
  sim.bind((event) => {
    processed++;
    if (processed + population <= EVENTS) sim.after(1 + random.int(0, 1_000_000), { type: 'tick', n: event.n + 1 });
  });
  for (let i = 0; i < population; i++) sim.at(random.int(0, 1_000_000), { type: 'tick', n: 0 });
  sim.run();
  return processed;
}

/** The bare queue, without the run loop, to show what the engine's dispatch costs on top. */
function queueOnly(seed: number): number {
  const queue = new EventQueue<number>(EVENTS);
  const random = new Random(seed);
  for (let i = 0; i < EVENTS; i++) queue.push(random.int(0, 3_600_000_000), i);
  let popped = 0;
  while (queue.pop() !== undefined) popped++;
  return popped;
}

const suite: BenchSuite = {
  name: 'engine',
  description: `schedule and process ${EVENTS.toLocaleString('en')} events through the discrete-event engine`,
  async run(log) {
    const bench = new Bench({ iterations: 7, warmupIterations: 2, time: 0 });
    let seed = 1;
    bench
      .add('schedule 1M, run to exhaustion', () => void scheduleAndRun(seed++))
      .add('hold model, 10k pending', () => void holdModel(seed++, 10_000))
      .add('queue only, push 1M then pop', () => void queueOnly(seed++));
    await bench.run();
    const rate = (taskName: string): number => Math.round(EVENTS / (medianMs(bench, taskName) / 1000));
    const figures = {
      eventsPerSecond: rate('schedule 1M, run to exhaustion'),
      holdModelEventsPerSecond: rate('hold model, 10k pending'),
      queueOnlyEventsPerSecond: rate('queue only, push 1M then pop'),
      events: EVENTS,
      target: 5_000_000,
    };
    log(`engine: ${(figures.eventsPerSecond / 1e6).toFixed(2)}M events/s (target >= 5M)`);
    return { ...figures, meetsTarget: figures.eventsPerSecond >= figures.target };
  },
};

export default suite;
