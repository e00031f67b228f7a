// A capacity search's answer as a report document (report.md and report.html draw from it): the winner and why,
// the two frontiers, and every candidate with its verdict.
import type { CapacityAnswer, CapacityQuestion, MetCandidate, SloCheck } from '../../sim/capacity/index.ts';
import { PRICE_SOURCE } from '../../sim/capacity/index.ts';
import { knobsText, shapeText } from '../capacity/describe.ts';
import {
  code,
  left,
  note,
  paragraph,
  right,
  strong,
  table,
  type Block,
  type ReportDocument,
  type Section,
} from './document.ts';
import { formatCount } from './format.ts';

const ms = (x: number): string => (Number.isFinite(x) ? `${x < 100 ? x.toFixed(1) : x.toFixed(0)} ms` : '—');
const usd = (x: number): string => `$${x.toFixed(2)}/h`;
const count = (n: number, noun: string): string => `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;

export function capacityDocument(q: CapacityQuestion, a: CapacityAnswer): ReportDocument {
  return {
    title: `Capacity: ${q.model}${q.dtype !== undefined ? ` (${q.dtype})` : ''}`,
    intro: [
      paragraph(
        `${formatCount(a.requests)} requests at ${a.rate.toFixed(2)} req/s, within `,
        ...q.slo.flatMap((b, i) => [...(i > 0 ? [', '] : []), code(`${b.metric}:p${b.percentile}<=${b.ms}ms`)]),
        q.goodput !== undefined ? ` for ${(q.goodput * 100).toFixed(1)}% of requests (goodput)` : '',
        `. ${a.candidates.length} replica shapes, ${formatCount(a.simulations)} simulations. Prices: `,
        ...q.gpus.flatMap((g, i) => [...(i > 0 ? ', ' : ''), code(g.gpu), ` ${usd(g.pricePerHour)}`]),
        ` (defaults from ${PRICE_SOURCE}).`,
      ),
    ],
    sections: [bestSection(a), paretoSection(a), candidatesSection(a)],
  };
}

function bestSection(a: CapacityAnswer): Section {
  const b = a.best;
  if (b === null)
    return {
      id: 'best',
      title: 'The cheapest deployment',
      blocks: [paragraph(strong('No candidate meets the SLO.'), ' The candidates below say why each was rejected.')],
    };
  const blocks: Block[] = [
    paragraph(
      strong(`${b.replicas} × ${shapeText(b.shape)}`),
      ` = ${count(b.gpus, 'GPU')}, ${usd(b.costPerHour)}. One replica sustains ${b.replicaRate.toFixed(2)} req/s; ${count(b.replicas, 'replica')} under the `,
      code(b.shape.router),
      ` router serve the traffic with ${formatCount(Math.round(b.figures.outputTokensPerSecond))} output tokens/s (${b.figures.outputTokensPerSecondPerGpu.toFixed(0)} per GPU, ${b.figures.tokensPerSecondPerUser.toFixed(1)} per user).`,
    ),
    boundsTable(b.check),
    paragraph('What binds: ', code(b.check.binding), ' (the bound closest to breaking).'),
  ];
  if (a.oneMoreReplica)
    blocks.push(
      paragraph(
        `One more replica (${b.replicas + 1}, +${count(b.shape.tp * b.shape.pp, 'GPU')}) would give `,
        ...a.oneMoreReplica.bounds.flatMap((c, i) => [...(i > 0 ? ['; '] : []), code(c.bound), ` ${ms(c.valueMs)}`]),
        '.',
      ),
    );
  for (const o of a.otherGpus)
    blocks.push(
      paragraph(
        `On ${o.shape.gpu}: ${o.replicas} × TP ${o.shape.tp}${o.shape.pp > 1 ? ` PP ${o.shape.pp}` : ''} = ${count(o.gpus, 'GPU')}, ${usd(o.costPerHour)} (+${usd(o.costPerHour - b.costPerHour)}), p90 TTFT ${ms(o.figures.p90TtftMs)}.`,
      ),
    );
  if (a.otherGpus.length < new Set(a.candidates.map((c) => c.shape.gpu)).size - 1)
    blocks.push(note('GPU types not listed have no shape that meets the SLO within the limits.'));
  return { id: 'best', title: 'The cheapest deployment', blocks };
}

function boundsTable(check: SloCheck): Block {
  return table(
    [left('Bound'), right('Value'), right('Margin')],
    check.bounds.map((c) => [code(c.bound), ms(c.valueMs), ms(c.marginMs)]),
  );
}

function paretoSection(a: CapacityAnswer): Section {
  const row = (c: MetCandidate) => [
    shapeText(c.shape),
    formatCount(c.replicas),
    formatCount(c.gpus),
    usd(c.costPerHour),
    ms(c.figures.p90TtftMs),
    ms(c.figures.p99TpotMs),
    c.figures.outputTokensPerSecondPerGpu.toFixed(0),
    c.figures.tokensPerSecondPerUser.toFixed(1),
  ];
  const columns = [
    left('Replica'),
    right('Replicas'),
    right('GPUs'),
    right('Cost'),
    right('p90 TTFT'),
    right('p99 TPOT'),
    right('Tok/s per GPU'),
    right('Tok/s per user'),
  ];
  return {
    id: 'pareto',
    title: 'Frontiers',
    blocks: [
      paragraph('Cost against p90 TTFT: each deployment here is faster to the first token than every cheaper one.'),
      table(columns, a.pareto.map(row)),
      paragraph(
        'Output tokens/s per GPU against tokens/s per user: what a GPU serves against how fast each request streams.',
      ),
      table(columns, a.throughputPareto.map(row)),
    ],
  };
}

function candidatesSection(a: CapacityAnswer): Section {
  return {
    id: 'candidates',
    title: 'Every candidate',
    blocks: [
      table(
        [
          left('GPU'),
          right('TP'),
          right('PP'),
          left('Engine, router'),
          right('Replicas'),
          right('Cost'),
          left('Verdict'),
          right('Sims'),
        ],
        a.candidates.map((c) => [
          code(c.shape.gpu),
          String(c.shape.tp),
          String(c.shape.pp),
          knobsText(c.shape),
          c.status === 'met' ? formatCount(c.replicas) : '—',
          c.status === 'met' ? usd(c.costPerHour) : '—',
          c === a.best ? strong('best') : c.status === 'met' ? 'meets the SLO' : c.reason,
          formatCount(c.simulations),
        ]),
      ),
    ],
  };
}
