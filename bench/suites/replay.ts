import { Bench } from 'tinybench';
import { fileURLToPath } from 'node:url';
import { replay } from '../../sim/scenario/replay.ts';
import type { Scenario } from '../../sim/scenario/scenario.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import type { BenchSuite } from '../suite.ts';
import { medianMs } from '../stats.ts';

const FILE = fileURLToPath(new URL('../../scenarios/scale-5k.yaml', import.meta.url));

const suite: BenchSuite = {
  name: 'replay',
  description: 'scenarios/scale-5k.yaml (5,000 nodes, 18,000 workloads, a simulated month) replayed in virtual time',
  async run(log) {
    const loadStarted = performance.now();
    const loaded = await loadScenarioFile(FILE);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const scenario: Scenario = loaded.scenario;
    let events = 0;
    let workloads = 0;
    const bench = new Bench({ iterations: 3, warmupIterations: 0, time: 0, warmupTime: 0 });
    bench.add('replay scale-5k', () => {
      const { report, events: n } = replay(scenario);
      events = n;
      workloads = report.workloads.length;
    });
    await bench.run();
    const wallSeconds = medianMs(bench, 'replay scale-5k') / 1000;
    log(`replay: scale-5k in ${wallSeconds.toFixed(2)} s (median of 3), ${workloads} workloads, ${events} events`);
    return {
      wallSeconds: Math.round(wallSeconds * 1000) / 1000,
      loadSeconds: Math.round(loadSeconds * 1000) / 1000,
      eventsPerSecond: Math.round(events / wallSeconds),
      workloadsPerSecond: Math.round(workloads / wallSeconds),
      simulatedDays: scenario.until / 86_400e6,
      workloads,
      events,
      meetsTarget: wallSeconds < 10,
    };
  },
};

export default suite;
