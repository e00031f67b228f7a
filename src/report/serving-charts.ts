// The serving section's charts, per workload with traffic: its TTFT and TPOT distributions, and its output
// throughput over time beside the replicas serving.
import type { TopLevelSpec } from 'vega-lite';
import type { ReplayReport, ServingReport } from '../../sim/scenario/report.ts';
import { CHART_CONFIG, CHART_HEIGHT, CHART_WIDTH } from './chart-specs.ts';
import { MAX_POINTS } from './chart-data.ts';
import { timeAxisUnit } from './format.ts';

export function servingCharts(report: ReplayReport): [string, TopLevelSpec][] {
  return (report.serving ?? []).flatMap((s, i) => [
    [`serving-${i}-latency`, latencyChart(s)],
    [`serving-${i}-throughput`, throughputChart(report, s)],
  ]);
}

function latencyChart(s: ServingReport): TopLevelSpec {
  const rows = (['ttft', 'tpot'] as const).flatMap((metric) =>
    s.lwsim.distributions[metric].map((b) => ({ metric: metric.toUpperCase(), lo: b.lo, hi: b.hi, count: b.count })),
  );
  return {
    title: {
      text: `${s.workload}: distribution of TTFT and TPOT`,
      subtitle: 'Completed requests, log-spaced bins (TPOT over requests with more than one output token)',
    },
    config: CHART_CONFIG,
    data: { values: rows },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: ['TTFT', 'TPOT'] } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: CHART_WIDTH / 2 - 40,
      height: CHART_HEIGHT,
      mark: { type: 'rect', color: '#4c78a8', stroke: 'white', strokeWidth: 0.5 },
      encoding: {
        x: { field: 'lo', type: 'quantitative', scale: { type: 'log' }, title: 'ms' },
        x2: { field: 'hi' },
        y: { field: 'count', type: 'quantitative', title: 'Requests' },
        y2: { datum: 0 },
      },
    },
  };
}

function throughputChart(report: ReplayReport, s: ServingReport): TopLevelSpec {
  const series = s.lwsim.series;
  const unit = timeAxisUnit(report.scenario.until);
  const per = Math.max(1, Math.ceil((series?.t.length ?? 0) / MAX_POINTS));
  const rows: { t: number; series: string; value: number }[] = [];
  if (series)
    for (let i = 0; i < series.t.length; i += per) {
      const t = (s.startedAt + series.t[i]!) / unit.seconds;
      rows.push({ t, series: 'output tokens/s', value: series.outputTokensPerSecond[i]! });
      rows.push({ t, series: 'replicas up', value: series.replicas.reduce((n, r) => n + r.up[i]!, 0) });
    }
  const x = {
    field: 't',
    type: 'quantitative' as const,
    title: `Simulated time (${unit.label})`,
    scale: { domain: [0, report.scenario.until / unit.seconds], nice: false },
  };
  const line = (name: string, color: string, title: string) => ({
    transform: [{ filter: { field: 'series', equal: name } }],
    mark: {
      type: 'line' as const,
      color,
      strokeWidth: name === 'replicas up' ? 1.5 : 1,
      interpolate: 'step-after' as const,
    },
    encoding: { x, y: { field: 'value', type: 'quantitative' as const, title, axis: { titleColor: color } } },
  });
  return {
    title: {
      text: `${s.workload}: output throughput and replicas serving over time`,
      subtitle: `Sampled every ${series?.interval ?? 0} s${per > 1 ? `; every ${per}th sample shown` : ''}`,
    },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: CHART_CONFIG,
    data: { values: rows },
    layer: [line('output tokens/s', '#4c78a8', 'Output tokens/s'), line('replicas up', '#e45756', 'Replicas up')],
    resolve: { scale: { y: 'independent' } },
  };
}
