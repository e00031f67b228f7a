import type { SimulatedCluster } from '../../simulator/simulated-cluster.ts';
import type { Command, CommandResult } from '../../simulator/commands.ts';
import type { Recorder } from '../recorder.ts';
import type { ReplayReport } from '../report.ts';

/** How many of each kind of thing happened: commands (and refusals), cycles, placements, evictions, completions. */
export class EventCounts implements Recorder<Pick<ReplayReport, 'events'>> {
  private readonly counts = new Map<string, number>();

  attach(cluster: SimulatedCluster): void {
    cluster.observers.on('scheduling-cycle', (report) => {
      this.count('scheduling cycles');
      this.count('gangs placed', report.placed.length);
      for (const e of report.evictions) this.count(`gangs ${e.action === 'reclaim' ? 'reclaimed' : 'preempted'}`);
    });
    cluster.observers.on('workload-phase', (w) => {
      if (w.phase === 'Completed') this.count('jobs completed');
    });
  }

  command(command: Command, result: CommandResult): void {
    this.count(result.ok ? command.type : `${command.type} refused`);
  }

  section(): Pick<ReplayReport, 'events'> {
    return { events: Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1))) };
  }

  private count(what: string, n = 1): void {
    if (n !== 0) this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }
}
