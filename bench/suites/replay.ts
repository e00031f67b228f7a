import { Bench } from 'tinybench';
import { fileURLToPath } from 'node:url';
import { replay } from '../../sim/scenario/replay.ts';
import type { Scenario } from '../../sim/scenario/scenario.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import type { BenchSuite, Figures } from '../suite.ts';
import { medianMs } from '../stats.ts';
import { contendedCycle, PENDING, RUNNING } from '../workloads/contended-cycle.ts';

const scenarioFile = (name: string): string => fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url));

async function load(name: string): Promise<Scenario> {
  const loaded = await loadScenarioFile(scenarioFile(name));
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.scenario;
}

/** Replays a scenario 3 times: the median wall time and what one replay did. */
async function timeReplay(scenario: Scenario): Promise<{ seconds: number; events: number; workloads: number }> {
  let events = 0;
  let workloads = 0;
  const bench = new Bench({ iterations: 3, warmupIterations: 0, time: 0, warmupTime: 0 });
  bench.add(scenario.name, () => {
    const { report, events: n } = replay(scenario);
    events = n;
    workloads = report.workloads.length;
  });
  await bench.run();
  return { seconds: medianMs(bench, scenario.name) / 1000, events, workloads };
}

/** The median cost of one cycle with 5,000 gangs waiting and 20,000 running, one gang ending between cycles. */
async function timeCycle(): Promise<number> {
  const cluster = contendedCycle();
  const bench = new Bench({ iterations: 50, warmupIterations: 5, time: 0, warmupTime: 0 });
  bench.add('cycle', () => cluster.cycle(), { beforeEach: () => cluster.churn() });
  await bench.run();
  return medianMs(bench, 'cycle') * 1000;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

const suite: BenchSuite = {
  name: 'replay',
  description:
    'scenarios/scale-5k.yaml and scale-5k-contended.yaml (5,000 nodes, a simulated month) replayed in virtual time, and one scheduling cycle with 5,000 gangs waiting',
  async run(log) {
    const loadStarted = performance.now();
    const uncontended = await load('scale-5k');
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const contended = await load('scale-5k-contended');
    const month = await timeReplay(uncontended);
    log(
      `replay: scale-5k in ${month.seconds.toFixed(2)} s (median of 3), ${month.workloads} workloads, ${month.events} events`,
    );
    const busy = await timeReplay(contended);
    log(
      `replay: scale-5k-contended in ${busy.seconds.toFixed(2)} s (median of 3), ${busy.workloads} workloads, ${busy.events} events`,
    );
    const cycleMicros = await timeCycle();
    log(
      `replay: one cycle with ${PENDING} waiting and ${RUNNING} running gangs: ${cycleMicros.toFixed(0)} µs (median of 50)`,
    );
    const figures: Figures = {
      wallSeconds: round3(month.seconds),
      loadSeconds: round3(loadSeconds),
      eventsPerSecond: Math.round(month.events / month.seconds),
      workloadsPerSecond: Math.round(month.workloads / month.seconds),
      simulatedDays: uncontended.until / 86_400e6,
      workloads: month.workloads,
      events: month.events,
      contendedWallSeconds: round3(busy.seconds),
      contendedEvents: busy.events,
      contendedToUncontended: Math.round((busy.seconds / month.seconds) * 100) / 100,
      cycleMicros5kPending: Math.round(cycleMicros),
      meetsTarget: month.seconds < 10,
      meetsContendedTarget: busy.seconds < 15 && busy.seconds <= 3 * month.seconds,
      meetsCycleTarget: cycleMicros < 5000,
    };
    return figures;
  },
};

export default suite;
