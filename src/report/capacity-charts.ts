// The capacity report's charts: every deployment that met the SLO, cost against p90 TTFT and tokens/s per GPU
// against tokens/s per user, each with its frontier drawn through it.
import type { TopLevelSpec } from 'vega-lite';
import type { CapacityAnswer, MetCandidate } from '../../sim/capacity/index.ts';
import { shapeText } from '../capacity/describe.ts';
import { CHART_CONFIG, CHART_HEIGHT, CHART_WIDTH } from './chart-specs.ts';

type Axis = { field: string; title: string; log?: boolean };

export function capacityCharts(a: CapacityAnswer): [string, TopLevelSpec][] {
  const met = a.candidates.filter((c): c is MetCandidate => c.status === 'met');
  if (met.length === 0) return [];
  return [
    [
      'cost-ttft',
      frontierChart(
        'Cost against p90 TTFT',
        'Every deployment meeting the SLO; the line joins those no cheaper one beats',
        met,
        a.pareto,
        { field: 'cost', title: 'USD per hour' },
        { field: 'ttft', title: 'p90 TTFT (ms)', log: true },
      ),
    ],
    [
      'throughput',
      frontierChart(
        'Output tokens/s per GPU against tokens/s per user',
        'Batching more serves more per GPU and streams slower to each request',
        met,
        a.throughputPareto,
        { field: 'perUser', title: 'Tokens/s per user' },
        { field: 'perGpu', title: 'Output tokens/s per GPU' },
      ),
    ],
  ];
}

function frontierChart(
  title: string,
  subtitle: string,
  met: readonly MetCandidate[],
  frontier: readonly MetCandidate[],
  x: Axis,
  y: Axis,
): TopLevelSpec {
  const row = (c: MetCandidate, set: string) => ({
    set,
    gpu: c.shape.gpu,
    deployment: `${c.replicas} × ${shapeText(c.shape)}`,
    cost: c.costPerHour,
    ttft: c.figures.p90TtftMs,
    perGpu: c.figures.outputTokensPerSecondPerGpu,
    perUser: c.figures.tokensPerSecondPerUser,
  });
  const encode = (axis: Axis) => ({
    field: axis.field,
    type: 'quantitative' as const,
    title: axis.title,
    // Padding keeps the cheapest and the dearest points off the axes.
    scale: axis.log ? { type: 'log' as const, padding: 12 } : { zero: false, padding: 12 },
  });
  return {
    title: { text: title, subtitle },
    config: CHART_CONFIG,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values: [...met.map((c) => row(c, 'all')), ...frontier.map((c) => row(c, 'frontier'))] },
    encoding: { x: encode(x), y: encode(y) },
    layer: [
      {
        transform: [{ filter: "datum.set === 'frontier'" }],
        mark: { type: 'line', color: '#57606a', strokeDash: [4, 3], point: false },
        encoding: { order: { field: x.field, type: 'quantitative' } },
      },
      {
        transform: [{ filter: "datum.set === 'all'" }],
        mark: { type: 'point', filled: true, size: 60, opacity: 0.85 },
        encoding: {
          color: { field: 'gpu', type: 'nominal', title: 'GPU' },
          tooltip: [{ field: 'deployment' }, { field: 'cost' }, { field: 'ttft' }],
        },
      },
    ],
  };
}
