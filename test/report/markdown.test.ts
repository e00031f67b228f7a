import { describe, expect, it } from 'vitest';
import { LONGEST_WAITS_LISTED, NEVER_RAN_LISTED } from '../../src/report/build-document.ts';
import { formatDuration } from '../../src/report/format.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { QUOTA_REASON, replayReportFixture, TOPOLOGY_REASON } from './fixture.ts';

/** The Markdown tables in the part of `md` under `heading` (up to the next heading of any level), as cell text. */
function tablesUnder(md: string, heading: string): string[][][] {
  const start = md.indexOf(`${heading}\n`);
  expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const rest = md.slice(start + heading.length + 1);
  const end = rest.search(/^#{1,6} /m);
  const tables: string[][][] = [];
  for (const chunk of (end < 0 ? rest : rest.slice(0, end)).split('\n\n')) {
    const lines = chunk.split('\n').filter((l) => l.startsWith('|'));
    if (lines.length < 2) continue;
    expect(lines[1]).toMatch(/^\|( -+:? \|)+$/);
    // Split on unescaped pipes only: cell text may hold `\|`.
    const cells = (line: string): string[] =>
      line
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => c.trim());
    tables.push([lines[0]!, ...lines.slice(2)].map(cells));
  }
  return tables;
}

describe('report.md', () => {
  const report = replayReportFixture();
  const md = renderMarkdown(report);

  it('names the scenario and the cluster with its pools', () => {
    expect(md.startsWith('# Replay report: mixed-burst\n')).toBe(true);
    expect(md).toContain('`scenarios/mixed-burst.yaml`, seed 7, replayed over 6h of simulated time');
    expect(md).toContain('Cluster `dgx-lab`: 6 nodes, 48 GPUs in 2 node pools: `h100` (32 GPUs), `a100` (16 GPUs).');
  });

  it('shows evictions and waiting by project, with a column per reason that occurred', () => {
    const [table] = tablesUnder(md, '## Contention by project');
    const workloads = (p: string) => String(report.workloads.filter((w) => w.project === p).length);
    expect(table).toEqual([
      ['Project', 'Workloads', 'Preempted', 'Reclaimed', 'Evicted others', 'No room (h)', 'Over quota (h)'],
      ['`team-a`', workloads('team-a'), '0', '2', '1', '4.0', '–'],
      ['`team-b`', workloads('team-b'), '1', '1', '0', '–', '–'],
      ['`research`', workloads('research'), '2', '0', '3', '6.0', '3.0'],
    ]);
  });

  it('summarises counts and pending-time / time-to-Running percentiles', () => {
    const [counts, percentiles] = tablesUnder(md, '## Summary');
    const s = report.summary;
    expect(s.neverRan).toBe(7);
    expect(counts).toEqual([
      ['Metric', 'Value'],
      ['Workloads', '40'],
      ['Ran', '33 (82.5%)'],
      ['Never ran', '7 (17.5%)'],
      ['Preemptions', String(s.preemptions)],
      ['Restarts', String(s.restarts)],
    ]);
    expect(percentiles?.[0]).toEqual(['Percentile', 'Pending time', 'Time to Running']);
    for (const [i, p] of (['p50', 'p90', 'p99', 'max'] as const).entries()) {
      expect(percentiles?.[i + 1]).toEqual([
        p,
        formatDuration(s.pendingSeconds[p]),
        formatDuration(s.timeToRunningSeconds[p]),
      ]);
    }
  });

  it('reports GPU use overall, per pool and per project, largest project first', () => {
    const [use, projects] = tablesUnder(md, '## GPU use').concat(tablesUnder(md, '### Per project'));
    const { overall } = report.gpu;
    expect(use?.[0]).toEqual([
      'Scope',
      'Capacity',
      'Mean allocated',
      'Peak allocated',
      'Mean fragmented',
      'Peak fragmented',
    ]);
    expect(use?.[1]?.[0]).toBe('**Overall**');
    expect(use?.[1]?.[1]).toBe('48');
    expect(use?.[1]?.[2]).toBe(
      `${overall.meanAllocated.toFixed(1)} (${((100 * overall.meanAllocated) / 48).toFixed(1)}%)`,
    );
    expect(use?.[1]?.[3]).toBe(String(overall.peakAllocated));
    expect(use?.slice(2).map((r) => r.slice(0, 2))).toEqual([
      ['`h100`', '32'],
      ['`a100`', '16'],
    ]);
    expect(projects?.slice(1).map((r) => r[0])).toEqual(['`team-a`', '`team-b`', '`research`']);
    for (const row of projects?.slice(1) ?? []) expect(row[1]).toMatch(/^\d+(\.\d)?$/); // at most one decimal
  });

  it('lists the workloads that never ran with their reasons, and groups the reasons', () => {
    const heading = '## Workloads that never ran (7)';
    expect(md).toContain(heading);
    const [why] = tablesUnder(md, '### Why');
    expect(why?.slice(1)).toEqual([
      [
        'node pool a100: no node set fits a gang of # pods needing # GPUs each; largest free is # GPUs \\<on one node\\>',
        '3',
      ],
      ['no reason recorded', '2'],
      [
        'node pool h100: project team-b quota has reached the allowable limit of GPUs. Limit is # GPUs, currently # GPUs allocated and workload requested # GPUs',
        '2',
      ],
    ]);
    const [which] = tablesUnder(md, '### Which');
    expect(which?.length).toBe(1 + 7);
    expect(which?.[0]).toEqual([
      'Workload',
      'Project',
      'Kind',
      'GPUs',
      'Submitted at',
      'Waited',
      'Final phase',
      'Reason',
    ]);
    const reasons = which?.slice(1).map((r) => r[7]);
    expect(reasons).toContain(QUOTA_REASON);
    expect(reasons).toContain(TOPOLOGY_REASON.replace('<', '\\<').replace('>', '\\>'));
    // A name with markup characters stays one cell, in a code span.
    expect(which?.some((r) => r[0] === '`eval_sweep*\\|v2`' && r.length === 8)).toBe(true);
    expect(md).not.toContain('more.');
  });

  it(`lists at most ${NEVER_RAN_LISTED} never-ran workloads, then says how many more`, () => {
    const many = renderMarkdown(replayReportFixture({ workloads: 60, neverRan: 32 }));
    const [which] = tablesUnder(many, '### Which');
    expect(which?.length).toBe(1 + NEVER_RAN_LISTED);
    expect(many).toContain('…and 12 more.');
  });

  it(`shows the ${LONGEST_WAITS_LISTED} longest waits, longest first`, () => {
    const [waits] = tablesUnder(md, `## The ${LONGEST_WAITS_LISTED} longest waits`);
    expect(waits?.length).toBe(1 + LONGEST_WAITS_LISTED);
    const longest = [...report.workloads].sort((a, b) => b.pendingSeconds - a.pendingSeconds)[0]!;
    expect(waits?.[1]?.[0]).toBe(`\`${longest.name}\``);
    expect(waits?.[1]?.[5]).toBe(formatDuration(longest.pendingSeconds));
    expect(waits?.[1]?.[6]).toBe('never ran');
  });

  it('counts events, most frequent first', () => {
    const [events] = tablesUnder(md, '## Events');
    expect(events?.slice(1, 3)).toEqual([
      ['scheduling cycles', '1,812'],
      ['submit', '40'],
    ]);
    expect(events?.length).toBe(1 + Object.keys(report.events).length);
  });

  it('marks the wall time and throughput as machine-dependent, and only they change between runs', () => {
    expect(md).toContain('## This run (machine-dependent)');
    const [run] = tablesUnder(md, '## This run (machine-dependent)');
    expect(run?.slice(1)).toEqual([
      ['Wall time', '421 ms'],
      ['Events per second', '1,234,568'],
      ['Workloads per second', '94.9'],
    ]);
    const other = renderMarkdown(replayReportFixture({ wallSeconds: 3.5 }));
    const cut = (s: string): string => s.slice(0, s.indexOf('## This run'));
    expect(cut(other)).toBe(cut(md));
    expect(other).toContain('3.5 s');
    expect(renderMarkdown(report)).toBe(md);
  });
});
