import { POLICY_NAMES, PUBLISHED_DEFAULT_130, runExperiment } from '../../sim/fgd/index.ts';
import { DEFAULT_OPENB_NODES, DEFAULT_OPENB_PODS, readOpenbNodes, readOpenbPods } from '../../src/import/read-openb.ts';
import type { BenchSuite, Figures } from '../suite.ts';

const SEEDS = Array.from({ length: 10 }, (_, i) => 42 + i);

const suite: BenchSuite = {
  name: 'fgd',
  description: "the FGD (ATC'23) experiment: 6 policies x 10 seeds on the default openb trace, one thread",
  async run(log) {
    const [nodes, pods] = await Promise.all([readOpenbNodes(DEFAULT_OPENB_NODES), readOpenbPods(DEFAULT_OPENB_PODS)]);
    if (!nodes.ok || !pods.ok)
      throw new Error([...(nodes.ok ? [] : nodes.errors), ...(pods.ok ? [] : pods.errors)].join('\n'));
    const started = performance.now();
    const result = runExperiment({ nodes: nodes.items, pods: pods.items, policies: POLICY_NAMES, seeds: SEEDS });
    const wallSeconds = (performance.now() - started) / 1000;
    const figures: Figures = { wallSeconds: Math.round(wallSeconds * 1000) / 1000 };
    let withinOnePoint = true;
    for (const p of result.policies) {
      const at130 = p.allocation.mean[130] ?? null;
      figures[`${p.policy}At130`] = at130 === null ? null : Math.round(at130 * 100) / 100;
      figures[`${p.policy}StdAt130`] = Math.round((p.allocation.std[130] ?? 0) * 100) / 100;
      if (at130 === null || Math.abs(at130 - PUBLISHED_DEFAULT_130[p.policy]) > 1) withinOnePoint = false;
      log(`fgd: ${p.policy} ${at130?.toFixed(2)} (published ${PUBLISHED_DEFAULT_130[p.policy]})`);
    }
    const measured = result.policies.map((p) => p.allocation.mean[130] ?? 0);
    const published = result.policies.map((p) => PUBLISHED_DEFAULT_130[p.policy]);
    figures.withinOnePoint = withinOnePoint;
    figures.sameOrder = sameOrder(measured, published);
    figures.meetsTarget = withinOnePoint && figures.sameOrder && wallSeconds < 30;
    return figures;
  },
};

/** The two lists rank their items alike. */
function sameOrder(a: readonly number[], b: readonly number[]): boolean {
  const rank = (xs: readonly number[]) =>
    xs
      .map((_, i) => i)
      .sort((i, j) => xs[i]! - xs[j]!)
      .join(',');
  return rank(a) === rank(b);
}

export default suite;
