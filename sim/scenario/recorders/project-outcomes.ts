import type { Micros } from '../../engine/index.ts';
import type { PendingCode } from '../../scheduler/index.ts';
import type { SimulatedCluster } from '../../simulator/simulated-cluster.ts';
import { roundTo } from '../../stats/stats.ts';
import type { Recorder } from '../recorder.ts';
import type { ProjectReport, ReplayReport } from '../report.ts';

/** A gang not yet tried by a cycle has no reason yet; it counts as waiting to be tried. */
export type WaitReason = PendingCode | 'NotTried';

interface Books {
  evicted: { preempted: number; reclaimed: number };
  evicting: { preempted: number; reclaimed: number };
  waiting: Map<WaitReason, number>;
}

/**
 * What contention did to each project: the gangs it lost to preemption and reclaim, the ones it made others
 * lose, and how long its gangs waited for each reason (gang-hours, from the pending gangs at every sample).
 */
export class ProjectOutcomes implements Recorder<Pick<ReplayReport, 'projects'>> {
  private readonly books = new Map<string, Books>();
  private sampledAt: Micros = 0;

  attach(cluster: SimulatedCluster): void {
    for (const department of cluster.spec.departments)
      for (const project of department.projects) this.booksOf(project.name);
    cluster.observers.on('scheduling-cycle', (report) => {
      for (const e of report.evictions) {
        const kind = e.action === 'reclaim' ? 'reclaimed' : 'preempted';
        this.booksOf(e.victim.spec.project).evicted[kind]++;
        this.booksOf(e.preemptor.spec.project).evicting[kind]++;
      }
    });
  }

  sample(cluster: SimulatedCluster): void {
    const hours = (cluster.now - this.sampledAt) / 3_600e6;
    this.sampledAt = cluster.now;
    if (hours <= 0) return;
    for (const gang of cluster.scheduler.allGangs()) {
      if (gang.phase !== 'pending') continue;
      const waiting = this.booksOf(gang.spec.project).waiting;
      const reason: WaitReason = gang.pending?.code ?? 'NotTried';
      waiting.set(reason, (waiting.get(reason) ?? 0) + hours);
    }
  }

  section(): Pick<ReplayReport, 'projects'> {
    const projects: ProjectReport[] = [...this.books].map(([project, books]) => ({
      project,
      evicted: books.evicted,
      evicting: books.evicting,
      pendingGangHours: Object.fromEntries(
        [...books.waiting].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reason, h]) => [reason, roundTo(h, 3)]),
      ),
    }));
    return { projects };
  }

  private booksOf(project: string): Books {
    let books = this.books.get(project);
    if (books === undefined) {
      books = {
        evicted: { preempted: 0, reclaimed: 0 },
        evicting: { preempted: 0, reclaimed: 0 },
        waiting: new Map(),
      };
      this.books.set(project, books);
    }
    return books;
  }
}
