import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CHART_TITLES } from '../../src/report/chart-specs.ts';
import { renderHtml } from '../../src/report/html.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { renderSvg } from '../../src/report/svg.ts';
import { writeReports } from '../../src/report/write-report.ts';
import { replayReportFixture } from './fixture.ts';

describe('report.html', () => {
  const report = replayReportFixture();
  let html = '';
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('renders its charts in Node without warnings (no canvas needed)', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    try {
      html = await renderHtml(report);
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });

  it('is one self-contained page: nothing to fetch, nothing to run', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/src="http/i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    expect(html).toContain('<style>');
  });

  it('draws at least three charts as inline SVG, each titled and with axis titles', () => {
    expect(html.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    for (const title of Object.values(CHART_TITLES)) expect(html).toContain(title);
    for (const axis of ['Simulated time (hours)', 'GPUs allocated', 'Count', 'Pending time (minutes)', 'Workloads'])
      expect(html).toContain(`>${axis}<`);
    for (const project of ['team-a', 'team-b', 'research']) expect(html).toContain(`>${project}<`);
  });

  it('carries the same summary as report.md, with text escaped', () => {
    expect(html).toContain('<h1>Replay report: mixed-burst</h1>');
    expect(html).toContain('<td class="num">33 (82.5%)</td>');
    expect(html).toContain('largest free is 6 GPUs &lt;on one node&gt;');
    expect(html).not.toContain('<on one node>');
    expect(html).toContain('<code>eval_sweep*|v2</code>');
    expect(html).toContain('This run (machine-dependent)');
    // Every table in the Markdown has a table in the page.
    expect(html.match(/<table>/g)?.length).toBe(renderMarkdown(report).match(/^\| -/gm)?.length);
  });

  it('is the same page for the same replay', async () => {
    expect(await renderHtml(report)).toBe(html);
  });

  it('keeps SVG ids of different charts apart on one page', async () => {
    const spec = {
      data: {
        values: [
          { x: 1, y: 2 },
          { x: 2, y: 1 },
        ],
      },
      mark: { type: 'line', clip: true },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    } as const;
    const [a, b] = [await renderSvg(spec, 'one'), await renderSvg(spec, 'two')];
    const ids = (svg: string): string[] => [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids(a).length).toBeGreaterThan(0);
    expect(ids(a).every((id) => id.startsWith('one-'))).toBe(true);
    expect(ids(b).every((id) => id.startsWith('two-'))).toBe(true);
    for (const m of a.matchAll(/url\(#([^)]+)\)/g)) expect(ids(a)).toContain(m[1]);
  });

  it('writeReports writes report.md and report.html into a new directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lwsim-report-'));
    dirs.push(root);
    const dir = join(root, 'nested', 'out');
    const paths = await writeReports(report, dir);
    expect(paths).toEqual({ markdown: join(dir, 'report.md'), html: join(dir, 'report.html') });
    expect(await readFile(paths.markdown, 'utf8')).toBe(renderMarkdown(report));
    expect(await readFile(paths.html, 'utf8')).toBe(html);
  });

  it('renders a replay with no samples and no workloads', async () => {
    const empty = replayReportFixture({ workloads: 0, neverRan: 0 });
    const bare = {
      ...empty,
      series: {
        ...empty.series,
        t: [],
        allocatedByProject: {},
        allocatedByPool: {},
        pendingGangs: [],
        runningWorkloads: [],
        fragmentedGpus: [],
      },
      events: {},
    };
    const page = await renderHtml(bare);
    expect(page.match(/<svg/g)?.length).toBe(3);
    const md = renderMarkdown(bare);
    expect(md).toContain('Every workload reached Running.');
    expect(md).toContain('No events recorded.');
  });
});
