/**
 * The rows the charts plot, shaped from a replay report. Long replays are thinned and many projects folded, so a
 * page stays small and its charts readable however large the scenario.
 */
import type { ReplayReport } from '../../sim/scenario/report.ts';
import { timeAxisUnit } from './format.ts';
import { mean, roundTo } from '../../sim/stats/stats.ts';

/** More points than this is more than a ~700px-wide chart can show. */
export const MAX_POINTS = 400;
/** Projects drawn one by one; the rest share one "other" band (ten keeps the colour palette distinct). */
export const MAX_PROJECTS = 9;
export const MAX_BINS = 30;

export interface TimeAxis {
  readonly unitLabel: string;
  readonly unitSeconds: number;
  /** Each plotted point is the mean of this many samples (1 when not thinned). */
  readonly samplesPerPoint: number;
}

export interface SeriesRow {
  readonly t: number;
  readonly series: string;
  readonly value: number;
  /** Stacking order: the largest project at the bottom. */
  readonly order: number;
}

export interface BinRow {
  readonly start: number;
  readonly end: number;
  readonly outcome: string;
  readonly count: number;
}

export function timeAxis(report: ReplayReport): TimeAxis {
  const { t } = report.series;
  const span = Math.max(report.scenario.until, t.at(-1) ?? 0);
  const unit = timeAxisUnit(span);
  return {
    unitLabel: unit.label,
    unitSeconds: unit.seconds,
    samplesPerPoint: Math.max(1, Math.ceil(t.length / MAX_POINTS)),
  };
}

/** Bucket means: unlike picking every k-th sample, they keep stacked bands summing to the mean total. */
function thin(values: readonly number[], per: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += per) {
    const bucket = values.slice(i, i + per);
    out.push(bucket.reduce((s, v) => s + v, 0) / bucket.length);
  }
  return out;
}

/** A series read against the sample times, missing samples as 0, so a short array cannot shift the chart. */
function aligned(values: readonly number[] | undefined, length: number): number[] {
  return Array.from({ length }, (_, i) => values?.[i] ?? 0);
}

/** GPUs allocated per project, long-form for a stacked area: one row per (time, project). */
export function allocationRows(report: ReplayReport, axis: TimeAxis): SeriesRow[] {
  const { t, allocatedByProject } = report.series;
  const ranked = Object.entries(allocatedByProject)
    .map(([project, values]) => ({ project, values: aligned(values, t.length) }))
    .sort((a, b) => mean(b.values) - mean(a.values) || (a.project < b.project ? -1 : 1));
  const shown = ranked.length > MAX_PROJECTS + 1 ? ranked.slice(0, MAX_PROJECTS) : ranked;
  const rest = ranked.slice(shown.length);
  const layers = shown.map((r) => ({ name: r.project, values: r.values }));
  if (rest.length > 0) {
    layers.push({
      name: `${rest.length} other projects`,
      values: t.map((_, i) => rest.reduce((s, r) => s + (r.values[i] ?? 0), 0)),
    });
  }
  const times = thin(t, axis.samplesPerPoint).map((s) => s / axis.unitSeconds);
  return layers.flatMap((layer, order) =>
    thin(layer.values, axis.samplesPerPoint).map((value, i) => ({
      t: times[i] ?? 0,
      series: layer.name,
      value,
      order,
    })),
  );
}

export const PENDING_GANGS = 'Pending gangs';
export const RUNNING_WORKLOADS = 'Running workloads';

/** Pending gangs and running workloads, long-form for a two-line chart. */
export function queueRows(report: ReplayReport, axis: TimeAxis): SeriesRow[] {
  const { t, pendingGangs, runningWorkloads } = report.series;
  const times = thin(t, axis.samplesPerPoint).map((s) => s / axis.unitSeconds);
  const lines: [string, readonly number[]][] = [
    [PENDING_GANGS, aligned(pendingGangs, t.length)],
    [RUNNING_WORKLOADS, aligned(runningWorkloads, t.length)],
  ];
  return lines.flatMap(([series, values], order) =>
    thin(values, axis.samplesPerPoint).map((value, i) => ({ t: times[i] ?? 0, series, value, order })),
  );
}

export const RAN = 'reached Running';
export const NEVER_RAN = 'never ran';

/** A 1-2-5 step giving at most `maxBins` bins over [0, max]. */
function niceStep(max: number, maxBins: number): number {
  const raw = max / maxBins;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10] as const).map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
}

export interface PendingHistogram {
  readonly unitLabel: string;
  readonly rows: BinRow[];
}

/** Pending time, binned here rather than in the chart so the page carries counts, not every workload. */
export function pendingHistogram(report: ReplayReport): PendingHistogram {
  const values = report.workloads.map((w) => w.pendingSeconds);
  const unit = timeAxisUnit(Math.max(0, ...values));
  const scaled = report.workloads.map((w) => ({
    v: w.pendingSeconds / unit.seconds,
    outcome: w.firstRunningAt === null ? NEVER_RAN : RAN,
  }));
  const max = Math.max(0, ...scaled.map((s) => s.v));
  const step = max > 0 ? niceStep(max, MAX_BINS) : 1;
  const bins = Math.max(1, Math.floor(max / step) + 1);
  const counts = new Map<string, number[]>([
    [RAN, new Array<number>(bins).fill(0)],
    [NEVER_RAN, new Array<number>(bins).fill(0)],
  ]);
  for (const { v, outcome } of scaled) {
    const row = counts.get(outcome)!;
    const i = Math.min(bins - 1, Math.floor(v / step));
    row[i] = (row[i] ?? 0) + 1;
  }
  const rows: BinRow[] = [];
  for (const [outcome, row] of counts) {
    row.forEach((count, i) => {
      if (count > 0) rows.push({ start: round(i * step), end: round((i + 1) * step), outcome, count });
    });
  }
  return { unitLabel: unit.label, rows };
}

/** Binary steps like 0.1 accumulate error; round bin edges so axis labels read 0.3, not 0.30000000000000004. */
const round = (x: number): number => roundTo(x, 9);
