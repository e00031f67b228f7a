// The report's serving section: how each workload with traffic served its clients, in vLLM's own terms.
import type { ReplayReport, ServingReport } from '../../sim/scenario/report.ts';
import { code, left, note, paragraph, right, subheading, table, type Block, type Section } from './document.ts';
import { formatCount, formatDuration, formatPercent } from './format.ts';

const ms = (x: number | undefined): string => (x === undefined ? '—' : `${x < 100 ? x.toFixed(1) : x.toFixed(0)} ms`);

export function servingSection(report: ReplayReport): Section | undefined {
  const serving = report.serving;
  if (serving === undefined || serving.length === 0) return undefined;
  return {
    id: 'serving',
    title: 'Serving',
    blocks: [
      paragraph(
        'Each workload with traffic, served request by request by the replicas the cluster gave it: a group serves while it is Ready, so scale-ups, preemptions and node faults show in the latencies. The figures are defined as ',
        code('vllm bench serve'),
        ' defines them; TTFT includes the time a request was held while no replica was up.',
      ),
      table(
        [
          left('Workload'),
          left('Deployment'),
          right('Completed'),
          right('Failed'),
          right('Retried'),
          right('Output tok/s'),
          right('Goodput'),
        ],
        serving.map((s) => [
          code(s.workload),
          deployment(s),
          formatCount(s.result.completed ?? 0),
          formatCount(s.lwsim.failed),
          formatCount(s.lwsim.retried),
          formatCount(Math.round(s.result.output_throughput ?? 0)),
          s.result.request_goodput === undefined
            ? '—'
            : formatPercent(s.result.request_goodput, s.result.request_throughput ?? 0),
        ]),
      ),
      note(
        'Failed: lost with a replica after streaming began (or, under onReplicaLoss: fail, any lost request). Retried: resent by the gateway before its first token. Goodput: the share of completed requests meeting every SLO.',
      ),
      ...serving.flatMap(latencies),
    ],
  };
}

function deployment(s: ServingReport): string {
  const d = s.deployment;
  return `${d.model} ${d.dtype} on ${d.gpu}, TP ${d.tp}${d.pp > 1 ? ` × PP ${d.pp}` : ''}, ${d.engine}`;
}

function latencies(s: ServingReport): Block[] {
  const r = s.result;
  const ps = Object.keys(r)
    .map((k) => /^p([\d.]+)_ttft_ms$/.exec(k)?.[1])
    .filter((p): p is string => p !== undefined)
    .sort((a, b) => Number(a) - Number(b));
  const row = (metric: 'ttft' | 'tpot' | 'itl' | 'e2el', label: string) => [
    label,
    ms(r[`mean_${metric}_ms`]),
    ms(r[`median_${metric}_ms`]),
    ...ps.map((p) => ms(r[`p${p}_${metric}_ms`])),
  ];
  return [
    subheading(`${s.workload}: latencies from ${formatDuration(s.startedAt)}`),
    table(
      [left('Metric'), right('Mean'), right('Median'), ...ps.map((p) => right(`p${p}`))],
      [row('ttft', 'TTFT'), row('tpot', 'TPOT'), row('itl', 'ITL'), row('e2el', 'E2E latency')],
    ),
    note(
      `${formatCount(s.lwsim.issued)} requests sent, ${formatCount(s.lwsim.inFlight)} still in flight at the horizon, ${formatCount(s.lwsim.rejected)} refused (longer than the KV cache); ${formatCount(s.lwsim.preemptions)} preemptions; replicas changed ${formatCount(s.replicaChanges)} times; router ${s.router}.`,
    ),
  ];
}
