/**
 * A realistic replay report built in code: 3 projects, 2 node pools, 50 samples, 40 workloads of which some never
 * ran. The numbers are internally consistent (the summary is computed from the workloads, the GPU means from the
 * series) so the tests can check the reports against them.
 */
import type { ReplayReport, WorkloadReport } from '../../sim/scenario/report.ts';
import type { Percentiles } from '../../sim/stats/stats.ts';

export const PROJECTS = ['team-a', 'team-b', 'research'] as const;
export const POOLS = [
  { name: 'h100', gpus: 32 },
  { name: 'a100', gpus: 16 },
] as const;
export const CAPACITY = 48;
export const HORIZON = 6 * 3600;
export const SAMPLES = 50;
export const QUOTA_REASON =
  'node pool h100: project team-b quota has reached the allowable limit of GPUs. Limit is 8 GPUs, currently 8 GPUs allocated and workload requested 4 GPUs';
export const TOPOLOGY_REASON =
  'node pool a100: no node set fits a gang of 2 pods needing 8 GPUs each; largest free is 6 GPUs <on one node>';

/** A small LCG: the fixture must be the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const round = (x: number): number => Math.round(x * 1000) / 1000;

export interface FixtureOptions {
  readonly workloads?: number;
  /** How many workloads never reach Running (the last ones submitted). */
  readonly neverRan?: number;
  readonly wallSeconds?: number;
}

export function replayReportFixture(options: FixtureOptions = {}): ReplayReport {
  const count = options.workloads ?? 40;
  const neverRanCount = options.neverRan ?? 7;
  const rnd = random(42);

  const workloads: WorkloadReport[] = [];
  for (let i = 0; i < count; i++) {
    const project = PROJECTS[i % PROJECTS.length]!;
    const training = i % 4 !== 0;
    const gpus = [1, 2, 4, 8, 16][Math.floor(rnd() * 5)]!;
    const submittedAt = Math.round((i / count) * HORIZON * 0.8);
    const never = i >= count - neverRanCount;
    const wait = never ? HORIZON - submittedAt : Math.round(rnd() < 0.4 ? rnd() * 20 : rnd() ** 2 * 5400);
    const preemptions = !never && rnd() < 0.15 ? 1 : 0;
    workloads.push({
      name:
        i === count - 2 ? 'eval_sweep*|v2' : `${project}-${training ? 'train' : 'serve'}-${String(i).padStart(2, '0')}`,
      project,
      kind: training ? 'training' : 'inference',
      gpus,
      submittedAt,
      firstRunningAt: never ? null : submittedAt + wait + 12,
      pendingSeconds: wait,
      timeToRunningSeconds: never ? null : wait + 12,
      preemptions,
      restarts: preemptions > 0 && rnd() < 0.5 ? 1 : 0,
      finalPhase: never ? 'Pending' : training && rnd() < 0.5 ? 'Completed' : 'Running',
      pendingReason: never ? (i % 3 === 0 ? TOPOLOGY_REASON : i % 3 === 1 ? QUOTA_REASON : null) : null,
    });
  }

  const interval = HORIZON / SAMPLES;
  const t = Array.from({ length: SAMPLES }, (_, i) => i * interval);
  // Each project ramps up at its own pace; together they stay under capacity.
  const shares = { 'team-a': 0.45, 'team-b': 0.3, research: 0.2 } as const;
  const allocatedByProject: Record<string, number[]> = {};
  for (const [k, project] of PROJECTS.entries()) {
    allocatedByProject[project] = t.map((_, i) =>
      Math.round(CAPACITY * shares[project] * Math.min(1, (i + 1) / (8 + 6 * k)) * (0.85 + 0.15 * rnd())),
    );
  }
  const total = t.map((_, i) => PROJECTS.reduce((s, p) => s + allocatedByProject[p]![i]!, 0));
  const allocatedByPool = {
    h100: total.map((x) => Math.min(32, Math.ceil(x * 0.7))),
    a100: total.map((x) => x - Math.min(32, Math.ceil(x * 0.7))),
  };
  const fragmentedGpus = total.map((x, i) => Math.min(CAPACITY - x, (i * 7) % 5));
  const pendingGangs = t.map((_, i) => Math.max(0, Math.round(8 * Math.sin(i / 6) + 6)));
  const runningWorkloads = t.map((_, i) => Math.min(count, Math.round(i * 0.9)));

  const ran = workloads.filter((w) => w.firstRunningAt !== null);
  const use = (capacity: number, allocated: readonly number[], fragmented: readonly number[]) => ({
    capacity,
    meanAllocated: round(mean(allocated)),
    peakAllocated: Math.max(...allocated),
    meanFragmented: round(mean(fragmented)),
    peakFragmented: Math.max(...fragmented),
  });

  return {
    scenario: {
      name: 'mixed-burst',
      file: 'scenarios/mixed-burst.yaml',
      seed: 7,
      until: HORIZON,
      cluster: { name: 'dgx-lab', nodes: 6, gpus: CAPACITY, pools: POOLS.map((p) => ({ ...p })) },
    },
    workloads,
    summary: {
      workloads: count,
      ran: ran.length,
      neverRan: count - ran.length,
      pendingSeconds: percentiles(workloads.map((w) => w.pendingSeconds)),
      timeToRunningSeconds: percentiles(ran.map((w) => w.timeToRunningSeconds!)),
      preemptions: workloads.reduce((s, w) => s + w.preemptions, 0),
      restarts: workloads.reduce((s, w) => s + w.restarts, 0),
    },
    gpu: {
      overall: use(CAPACITY, total, fragmentedGpus),
      pools: [
        {
          pool: 'h100',
          ...use(
            32,
            allocatedByPool.h100,
            fragmentedGpus.map((f) => Math.ceil(f / 2)),
          ),
        },
        {
          pool: 'a100',
          ...use(
            16,
            allocatedByPool.a100,
            fragmentedGpus.map((f) => Math.floor(f / 2)),
          ),
        },
      ],
      projects: PROJECTS.map((project) => ({
        project,
        meanAllocated: round(mean(allocatedByProject[project]!)),
        peakAllocated: Math.max(...allocatedByProject[project]!),
      })),
    },
    series: { interval, t, allocatedByProject, allocatedByPool, pendingGangs, runningWorkloads, fragmentedGpus },
    projects: PROJECTS.map((project, k) => ({
      project,
      evicted: { preempted: k, reclaimed: 2 - k },
      evicting: { preempted: k === 0 ? 1 : 0, reclaimed: k === 2 ? 3 : 0 },
      pendingGangHours: (k === 1 ? {} : { NonPreemptibleOverQuota: 1.5 * k, Unschedulable: 4 + k }) as Record<
        string,
        number
      >,
    })),
    events: {
      'scheduling cycles': 1_812,
      submit: count,
      'gangs placed': ran.length + 3,
      'gangs preempted': 3,
      'gangs reclaimed': 1,
      'jobs completed': 11,
      'node fault': 2,
    },
    run: { wallSeconds: options.wallSeconds ?? 0.4213, eventsPerSecond: 1_234_567.8, workloadsPerSecond: 94.9 },
  };
}
