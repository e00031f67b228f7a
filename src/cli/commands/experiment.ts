// `lwsim experiment fgd`: the FGD paper's placement-policy comparison on an openb trace, seeds × policies.
import { parseArgs } from 'node:util';
import {
  isPolicyName,
  POLICY_NAMES,
  POLICY_TITLES,
  runExperiment,
  TUNE_RATIO,
  type ExperimentResult,
  type PolicyName,
} from '../../../sim/fgd/index.ts';
import { DEFAULT_OPENB_NODES, DEFAULT_OPENB_PODS, readOpenbNodes, readOpenbPods } from '../../import/read-openb.ts';
import { fgdJson, type FgdJson } from '../../report/fgd-json.ts';
import { writeFgdReport } from '../../report/fgd-report.ts';

export const EXPERIMENT_USAGE = `lwsim experiment fgd [--nodes FILE] [--pods FILE] [--policy NAME[,NAME...]] [--seeds 42-51]
         [--tune-ratio 1.3] [--json] [--report DIR]     (policies: ${POLICY_NAMES.join(', ')})`;

export async function experimentCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name !== 'fgd') return usage(name === undefined ? 'name an experiment: fgd' : `unknown experiment "${name}"`);
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      nodes: { type: 'string', default: DEFAULT_OPENB_NODES },
      pods: { type: 'string', default: DEFAULT_OPENB_PODS },
      policy: { type: 'string', default: POLICY_NAMES.join(',') },
      seeds: { type: 'string', default: '42-51' },
      'tune-ratio': { type: 'string', default: String(TUNE_RATIO) },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
    },
  });
  const policies = values.policy.split(',').map((p) => p.trim());
  const unknown = policies.filter((p) => !isPolicyName(p));
  if (unknown.length > 0) return usage(`unknown policy ${unknown.join(', ')} (known: ${POLICY_NAMES.join(', ')})`);
  const seeds = parseSeeds(values.seeds);
  if (seeds === undefined) return usage(`--seeds must be N, N-M or N,M,..., got "${values.seeds}"`);
  const tuneRatio = Number(values['tune-ratio']);
  if (!(tuneRatio > 0 && tuneRatio <= 10)) return usage(`--tune-ratio must be in (0, 10], got ${values['tune-ratio']}`);
  const [nodes, pods] = await Promise.all([readOpenbNodes(values.nodes), readOpenbPods(values.pods)]);
  const errors = [...(nodes.ok ? [] : nodes.errors), ...(pods.ok ? [] : pods.errors)];
  if (!nodes.ok || !pods.ok) {
    for (const e of errors) process.stderr.write(`${e}\n`);
    return 2;
  }
  const started = performance.now();
  const result = runExperiment({
    nodes: nodes.items,
    pods: pods.items,
    policies: policies as PolicyName[],
    seeds,
    tuneRatio,
  });
  const wallSeconds = Math.round(performance.now() - started) / 1000;
  const json = fgdJson(result, { nodes: values.nodes, pods: values.pods, seeds, tuneRatio, wallSeconds });
  if (values.report !== undefined) await writeFgdReport(json, values.report);
  process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : summary(result, json));
  return 0;
}

/** `42-51`, `42,45` or `42`. */
export function parseSeeds(text: string): number[] | undefined {
  const range = /^(\d+)-(\d+)$/.exec(text.trim());
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    return to >= from && to - from < 10_000 ? Array.from({ length: to - from + 1 }, (_, i) => from + i) : undefined;
  }
  const list = text.split(',').map((s) => s.trim());
  return list.every((s) => /^\d+$/.test(s)) ? list.map(Number) : undefined;
}

/** Every tenth bin of each curve, mean ± std, as a table per curve. */
function summary(result: ExperimentResult, json: FgdJson): string {
  const bins = Array.from({ length: Math.floor(json.maxBin / 10) + 1 }, (_, i) => i * 10);
  const width = Math.max(...result.policies.map((p) => POLICY_TITLES[p.policy].length), 6);
  const cell = (mean: number | null, std: number | null) =>
    (mean === null ? '-' : `${mean.toFixed(1)}±${(std ?? 0).toFixed(1)}`).padStart(10);
  const curve = (
    title: string,
    pick: (p: ExperimentResult['policies'][number]) => {
      mean: readonly (number | null)[];
      std: readonly (number | null)[];
    },
  ) => [
    title,
    `${'policy'.padEnd(width)} ${bins.map((b) => `${b}%`.padStart(10)).join('')}`,
    ...result.policies.map((p) => {
      const c = pick(p);
      return `${POLICY_TITLES[p.policy].padEnd(width)} ${bins.map((b) => cell(c.mean[b] ?? null, c.std[b] ?? null)).join('')}`;
    }),
  ];
  const lines = [
    `FGD experiment: ${result.nodes} nodes, ${result.gpus} GPUs, ${result.workloadPods} pods (${result.typicalPods.length} typical specs), ` +
      `seeds ${json.seeds.join(',')}, tuned to ${Math.round(json.tuneRatio * 100)}%, ${json.wallSeconds} s`,
    '',
    ...curve('GPU allocation ratio (%) by arrived GPU demand (%), mean±std over seeds', (p) => p.allocation),
    '',
    ...curve('fragmentation ratio (%) by arrived GPU demand (%)', (p) => p.fragRatio),
  ];
  return `${lines.join('\n')}\n`;
}

function usage(message: string): number {
  process.stderr.write(`lwsim experiment: ${message}\nusage: ${EXPERIMENT_USAGE}\n`);
  return 2;
}
