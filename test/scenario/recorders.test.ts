import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../sim/simulator/simulated-cluster.ts';
import type { Recorder } from '../../sim/scenario/recorder.ts';
import { replay } from '../../sim/scenario/replay.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';

const SCENARIOS = join(import.meta.dirname, '../../scenarios');

async function demo() {
  const loaded = await loadScenarioFile(join(SCENARIOS, 'demo.yaml'));
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.scenario;
}

/** A recorder of its own section: the peak number of pending gangs, and how often it was asked. */
class PeakQueue implements Recorder<{ queue: { peak: number; samples: number; commands: number } }> {
  private peak = 0;
  private samples = 0;
  private commands = 0;
  command(): void {
    this.commands++;
  }
  sample(cluster: SimulatedCluster): void {
    this.samples++;
    this.peak = Math.max(this.peak, cluster.scheduler.pendingCount);
  }
  section() {
    return { queue: { peak: this.peak, samples: this.samples, commands: this.commands } };
  }
}

describe('replay recorders', () => {
  it('adds a recorder’s section after the standard ones, which stay as they were', async () => {
    const scenario = await demo();
    const plain = replay(scenario).report;
    const { report } = replay<{ queue: { peak: number; samples: number; commands: number } }>(scenario, {
      recorders: [new PeakQueue()],
    });
    expect(Object.keys(report)).toEqual([
      'scenario',
      'workloads',
      'summary',
      'gpu',
      'series',
      'serving',
      'projects',
      'events',
      'queue',
    ]);
    const { queue, ...standard } = report;
    expect(standard).toEqual(plain);
    expect(queue!.samples).toBe(plain.series.t.length);
    expect(queue!.commands).toBe(scenario.steps.length);
    expect(queue!.peak).toBe(Math.max(...plain.series.pendingGangs));
  });

  it('stops where stopWhen says, and says so in the report', async () => {
    const scenario = await demo();
    const { report } = replay(scenario, { stopWhen: (cluster) => cluster.now >= 3_600_000_000 });
    expect(report.scenario.stoppedAt).toBe(3600);
    expect(report.series.t[report.series.t.length - 1]).toBe(3600);
    expect(replay(scenario).report.scenario.stoppedAt).toBeUndefined();
  });
});
