/**
 * The report's charts as Vega-Lite specs: GPU allocation per project, the queue over time, and the spread of
 * pending time. Pure data in, spec out; rendering is `svg.ts`'s business.
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import type { ReplayReport } from '../../sim/scenario/report.ts';
import {
  allocationRows,
  NEVER_RAN,
  pendingHistogram,
  PENDING_GANGS,
  queueRows,
  RAN,
  RUNNING_WORKLOADS,
  timeAxis,
  type TimeAxis,
} from './chart-data.ts';
import { formatCount, formatDuration, formatGpus } from './format.ts';

export const CHART_TITLES = {
  allocation: 'GPUs allocated per project over time',
  queue: 'Pending gangs and running workloads over time',
  pending: 'Distribution of pending time',
} as const;

export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 240;

/** Light, print-friendly styling; fonts are ones a reader's machine already has, so the page loads none. */
export const CHART_CONFIG: Config = {
  background: 'white',
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif',
  padding: 8,
  title: {
    fontSize: 15,
    fontWeight: 600,
    anchor: 'start',
    color: '#1f2328',
    subtitleFontSize: 12,
    subtitleColor: '#57606a',
    offset: 12,
  },
  axis: {
    labelFontSize: 11,
    labelColor: '#333',
    titleFontSize: 12,
    titleFontWeight: 'normal',
    titleColor: '#1f2328',
    gridColor: '#e6e6e6',
    domainColor: '#888',
    tickColor: '#888',
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 220, symbolType: 'square' },
  view: { stroke: '#d0d7de' },
};

function timeEncoding(report: ReplayReport, axis: TimeAxis) {
  return {
    field: 't',
    type: 'quantitative' as const,
    title: `Simulated time (${axis.unitLabel})`,
    scale: { domain: [0, report.scenario.until / axis.unitSeconds], nice: false, zero: true },
  };
}

function samplingNote(report: ReplayReport, axis: TimeAxis): string {
  const every = `sampled every ${formatDuration(report.series.interval)}`;
  return axis.samplesPerPoint > 1 ? `${every}; each point is the mean of ${axis.samplesPerPoint} samples` : every;
}

export function allocationChart(report: ReplayReport): TopLevelSpec {
  const axis = timeAxis(report);
  const rows = allocationRows(report, axis);
  const names = [...new Set(rows.map((r) => r.series))];
  const capacity = report.gpu.overall.capacity;
  return {
    title: {
      text: CHART_TITLES.allocation,
      subtitle: `Stacked; dashed line: cluster capacity (${formatGpus(capacity)} GPUs); ${samplingNote(report, axis)}`,
    },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: CHART_CONFIG,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'area', opacity: 0.85, line: { strokeWidth: 0.75 } },
        encoding: {
          x: timeEncoding(report, axis),
          y: { field: 'value', type: 'quantitative', stack: 'zero', title: 'GPUs allocated' },
          color: { field: 'series', type: 'nominal', title: 'Project', scale: { domain: names, scheme: 'tableau10' } },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        data: { values: [{ capacity }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#444', strokeWidth: 1.5 },
        encoding: { y: { field: 'capacity', type: 'quantitative' } },
      },
    ],
  };
}

export function queueChart(report: ReplayReport): TopLevelSpec {
  const axis = timeAxis(report);
  return {
    title: { text: CHART_TITLES.queue, subtitle: samplingNote(report, axis) },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: CHART_CONFIG,
    data: { values: queueRows(report, axis) },
    mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
    encoding: {
      x: timeEncoding(report, axis),
      y: { field: 'value', type: 'quantitative', title: 'Count' },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: [PENDING_GANGS, RUNNING_WORKLOADS], range: ['#e45756', '#4c78a8'] },
        legend: { orient: 'top', symbolType: 'stroke', symbolStrokeWidth: 2 },
      },
    },
  };
}

export function pendingChart(report: ReplayReport): TopLevelSpec {
  const histogram = pendingHistogram(report);
  return {
    title: {
      text: CHART_TITLES.pending,
      subtitle: `${formatCount(report.workloads.length)} workloads; a workload that never ran counts its wait up to deletion or the horizon`,
    },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    config: CHART_CONFIG,
    data: { values: histogram.rows },
    mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'start', type: 'quantitative', bin: 'binned', title: `Pending time (${histogram.unitLabel})` },
      x2: { field: 'end' },
      y: { field: 'count', type: 'quantitative', stack: 'zero', title: 'Workloads' },
      color: {
        field: 'outcome',
        type: 'nominal',
        title: null,
        scale: { domain: [RAN, NEVER_RAN], range: ['#4c78a8', '#e45756'] },
        legend: { orient: 'top' },
      },
    },
  };
}
