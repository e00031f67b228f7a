/**
 * What the human-facing reports say, decided once from a replay report: which tables, which rows, in which order.
 * Every ordering has a name tie-break so the same replay gives the same report.md byte for byte (but for the run block).
 */
import type { GpuUse, ReplayReport, WorkloadReport } from '../../sim/scenario/report.ts';
import {
  code,
  left,
  note,
  paragraph,
  right,
  strong,
  subheading,
  table,
  type Block,
  type Inline,
  type ReportDocument,
  type Section,
} from './document.ts';
import {
  formatCount,
  formatDuration,
  formatGpus,
  formatPercent,
  formatRate,
  formatWallSeconds,
  NONE,
} from './format.ts';
import { servingSection } from './serving-section.ts';

/** How many never-ran workloads are listed one by one before "and N more". */
export const NEVER_RAN_LISTED = 20;
export const LONGEST_WAITS_LISTED = 10;
/** Distinct pending reasons summarised before the rest are folded into one row. */
export const REASONS_LISTED = 10;

const NO_REASON = 'no reason recorded';

export function buildDocument(report: ReplayReport): ReportDocument {
  return {
    title: `Replay report: ${report.scenario.name}`,
    intro: intro(report),
    sections: [
      summary(report),
      gpuUse(report),
      ...[servingSection(report)].filter((s): s is Section => s !== undefined),
      ...[contention(report)].filter((s): s is Section => s !== undefined),
      neverRan(report),
      longestWaits(report),
      events(report),
      run(report),
    ],
  };
}

function intro({ scenario }: ReplayReport): Block[] {
  const { cluster } = scenario;
  const pools: Inline[] = cluster.pools.flatMap((p, i) => [
    i === 0 ? '' : ', ',
    code(p.name),
    ` (${formatGpus(p.gpus)} GPUs)`,
  ]);
  return [
    paragraph(
      'Scenario ',
      code(scenario.name),
      ' from ',
      code(scenario.file),
      `, seed ${scenario.seed}, replayed over ${formatDuration(scenario.until)} of simulated time.`,
    ),
    paragraph(
      'Cluster ',
      code(cluster.name),
      `: ${formatCount(cluster.nodes)} nodes, ${formatGpus(cluster.gpus)} GPUs`,
      ...(cluster.pools.length === 0
        ? ['.']
        : [` in ${cluster.pools.length} node pool${cluster.pools.length === 1 ? '' : 's'}: `, ...pools, '.']),
    ),
  ];
}

function summary({ summary: s }: ReplayReport): Section {
  const ran = s.ran > 0;
  return {
    id: 'summary',
    title: 'Summary',
    blocks: [
      table(
        [left('Metric'), right('Value')],
        [
          ['Workloads', formatCount(s.workloads)],
          ['Ran', `${formatCount(s.ran)} (${formatPercent(s.ran, s.workloads)})`],
          ['Never ran', `${formatCount(s.neverRan)} (${formatPercent(s.neverRan, s.workloads)})`],
          ['Preemptions', formatCount(s.preemptions)],
          ['Restarts', formatCount(s.restarts)],
        ],
      ),
      table(
        [left('Percentile'), right('Pending time'), right('Time to Running')],
        (['p50', 'p90', 'p99', 'max'] as const).map((p) => [
          p,
          formatDuration(s.pendingSeconds[p]),
          ran ? formatDuration(s.timeToRunningSeconds[p]) : NONE,
        ]),
      ),
      note(
        'Pending time runs from submission to first placement (or to deletion, or the horizon, for a workload never placed); ',
        `time to Running is over the ${formatCount(s.ran)} workloads that reached Running.`,
      ),
    ],
  };
}

function useRow(scope: Inline, use: GpuUse): Inline[] {
  return [
    scope,
    formatGpus(use.capacity),
    `${formatGpus(use.meanAllocated)} (${formatPercent(use.meanAllocated, use.capacity)})`,
    formatGpus(use.peakAllocated),
    formatGpus(use.meanFragmented),
    formatGpus(use.peakFragmented),
  ];
}

/** Pools an FGD policy places: FGD's own fragmentation ratio beside lwsim's fragmented GPUs. */
function fgdNote(pools: ReplayReport['gpu']['pools']): Block[] {
  const rows = pools.flatMap((p) =>
    p.fgd === undefined
      ? []
      : [
          [
            code(p.pool),
            p.fgd.placement,
            formatPercent(p.fgd.meanFragmentation, 1),
            formatPercent(p.fgd.peakFragmentation, 1),
          ],
        ],
  );
  if (rows.length === 0) return [];
  return [
    table([left('Pool'), left('Placement'), right('Mean FGD fragmentation'), right('Peak FGD fragmentation')], rows),
    note(
      'FGD fragmentation: idle GPU the typical pods (of the gangs submitted so far) could not use, over all idle GPU.',
    ),
  ];
}

function gpuUse({ gpu }: ReplayReport): Section {
  const projects = [...gpu.projects].sort(
    (a, b) => b.meanAllocated - a.meanAllocated || compareNames(a.project, b.project),
  );
  return {
    id: 'gpu',
    title: 'GPU use',
    blocks: [
      table(
        [
          left('Scope'),
          right('Capacity'),
          right('Mean allocated'),
          right('Peak allocated'),
          right('Mean fragmented'),
          right('Peak fragmented'),
        ],
        [useRow(strong('Overall'), gpu.overall), ...gpu.pools.map((p) => useRow(code(p.pool), p))],
      ),
      note(
        'In GPUs. Fragmented: free GPUs that no waiting pod could use (judged against the running pods when none wait).',
      ),
      ...fgdNote(gpu.pools),
      subheading('Per project'),
      projects.length === 0
        ? paragraph('No project allocated GPUs.')
        : table(
            [left('Project'), right('Mean allocated'), right('Peak allocated'), right('Mean share of cluster')],
            projects.map((p) => [
              code(p.project),
              formatGpus(p.meanAllocated),
              formatGpus(p.peakAllocated),
              formatPercent(p.meanAllocated, gpu.overall.capacity),
            ]),
          ),
    ],
  };
}

/** Reasons carry GPU counts and names of the moment; eliding the numbers groups the same cause together. */
function reasonKind(reason: string | null): string {
  return reason === null ? NO_REASON : reason.replace(/\b\d+(\.\d+)?\b/g, '#');
}

function neverRan({ workloads }: ReplayReport): Section {
  const never = workloads.filter((w) => w.firstRunningAt === null).sort(byLongestWait);
  const title = `Workloads that never ran (${formatCount(never.length)})`;
  if (never.length === 0) return { id: 'never-ran', title, blocks: [paragraph('Every workload reached Running.')] };

  const kinds = new Map<string, number>();
  for (const w of never) kinds.set(reasonKind(w.pendingReason), (kinds.get(reasonKind(w.pendingReason)) ?? 0) + 1);
  const byCount = [...kinds].sort(([a, n], [b, m]) => m - n || compareNames(a, b));
  const folded = byCount.slice(REASONS_LISTED).reduce((s, [, n]) => s + n, 0);
  const reasonRows: Inline[][] = byCount.slice(0, REASONS_LISTED).map(([reason, n]) => [reason, formatCount(n)]);
  if (folded > 0) reasonRows.push([`${byCount.length - REASONS_LISTED} other reasons`, formatCount(folded)]);

  const listed = never.slice(0, NEVER_RAN_LISTED);
  const blocks: Block[] = [
    subheading('Why'),
    table([left('Reason (numbers shown as #)'), right('Workloads')], reasonRows),
    subheading('Which'),
    table(
      [
        left('Workload'),
        left('Project'),
        left('Kind'),
        right('GPUs'),
        right('Submitted at'),
        right('Waited'),
        left('Final phase'),
        left('Reason'),
      ],
      listed.map((w) => [
        code(w.name),
        code(w.project),
        w.kind,
        formatGpus(w.gpus),
        formatDuration(w.submittedAt),
        formatDuration(w.pendingSeconds),
        w.finalPhase,
        w.pendingReason ?? NO_REASON,
      ]),
    ),
  ];
  if (never.length > listed.length) blocks.push(paragraph(`…and ${formatCount(never.length - listed.length)} more.`));
  return { id: 'never-ran', title, blocks };
}

function longestWaits({ workloads }: ReplayReport): Section {
  const longest = [...workloads].sort(byLongestWait).slice(0, LONGEST_WAITS_LISTED);
  return {
    id: 'longest-waits',
    title: `The ${LONGEST_WAITS_LISTED} longest waits`,
    blocks: [
      longest.length === 0
        ? paragraph('No workloads.')
        : table(
            [
              left('Workload'),
              left('Project'),
              left('Kind'),
              right('GPUs'),
              right('Submitted at'),
              right('Pending'),
              right('Time to Running'),
              right('Preemptions'),
              left('Final phase'),
            ],
            longest.map((w) => [
              code(w.name),
              code(w.project),
              w.kind,
              formatGpus(w.gpus),
              formatDuration(w.submittedAt),
              formatDuration(w.pendingSeconds),
              w.timeToRunningSeconds === null ? 'never ran' : formatDuration(w.timeToRunningSeconds),
              formatCount(w.preemptions),
              w.finalPhase,
            ]),
          ),
    ],
  };
}

/** Waiting reasons in the order a person reads them (capacity first, then the quota gates), with their columns. */
const WAIT_REASONS = [
  ['Unschedulable', 'No room (h)'],
  ['NonPreemptibleOverQuota', 'Over quota (h)'],
  ['OverLimit', 'Over limit (h)'],
  ['Evicted', 'Evicted (h)'],
  ['NotTried', 'Not tried (h)'],
] as const;

/** Evictions and waiting per project; absent when nobody was evicted and nothing waited. */
function contention(report: ReplayReport): Section | undefined {
  const projects = report.projects ?? [];
  const hours = (p: (typeof projects)[number], reason: string): number => p.pendingGangHours[reason] ?? 0;
  const reasons = WAIT_REASONS.filter(([r]) => projects.some((p) => hours(p, r) > 0));
  const evictions = (e: { preempted: number; reclaimed: number }): number => e.preempted + e.reclaimed;
  if (reasons.length === 0 && !projects.some((p) => evictions(p.evicted) > 0)) return undefined;
  const workloads = new Map<string, number>();
  for (const w of report.workloads) workloads.set(w.project, (workloads.get(w.project) ?? 0) + 1);
  const rows = projects.map((p) => [
    code(p.project),
    formatCount(workloads.get(p.project) ?? 0),
    formatCount(p.evicted.preempted),
    formatCount(p.evicted.reclaimed),
    formatCount(evictions(p.evicting)),
    ...reasons.map(([r]) => formatHours(hours(p, r))),
  ]);
  return {
    id: 'contention',
    title: 'Contention by project',
    blocks: [
      table(
        [
          left('Project'),
          right('Workloads'),
          right('Preempted'),
          right('Reclaimed'),
          right('Evicted others'),
          ...reasons.map(([, column]) => right(column)),
        ],
        rows,
      ),
      note(
        'Preempted and Reclaimed count the project’s gangs that lost their place; Evicted others counts the gangs its own ',
        'gangs displaced. The (h) columns are gang-hours its gangs spent waiting, by the reason they had at each sample: no room ',
        '(Unschedulable), over quota (NonPreemptibleOverQuota), over limit (OverLimit), evicted (until a cycle tried ',
        'them again), not tried (before a first cycle).',
      ),
    ],
  };
}

function formatHours(h: number): string {
  return h === 0 ? NONE : h < 10 ? h.toFixed(1) : formatCount(Math.round(h));
}

function events(report: ReplayReport): Section {
  const rows = Object.entries(report.events).sort(([a, n], [b, m]) => m - n || compareNames(a, b));
  return {
    id: 'events',
    title: 'Events',
    blocks: [
      rows.length === 0
        ? paragraph('No events recorded.')
        : table(
            [left('Event'), right('Count')],
            rows.map(([what, n]) => [what, formatCount(n)]),
          ),
    ],
  };
}

function run({ run: r }: ReplayReport): Section {
  return {
    id: 'run',
    title: 'This run (machine-dependent)',
    blocks: [
      note(
        'These numbers depend on the machine that replayed the scenario and change from run to run; everything above is the same for the same scenario file and seed.',
      ),
      table(
        [left('Measure'), right('Value')],
        [
          ['Wall time', formatWallSeconds(r.wallSeconds)],
          ['Events per second', formatRate(r.eventsPerSecond)],
          ['Workloads per second', formatRate(r.workloadsPerSecond)],
        ],
      ),
    ],
  };
}

function byLongestWait(a: WorkloadReport, b: WorkloadReport): number {
  return b.pendingSeconds - a.pendingSeconds || compareNames(a.name, b.name);
}

/** Code-unit order, not localeCompare: the same on every machine. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
