import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLACEMENT_STRATEGIES } from '../../sim/cluster/index.ts';
import { replay } from '../../sim/scenario/replay.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';

/** One pool per placement strategy, each fed the same mix of whole and fractional jobs. */
function scenarioText(seed: number): string {
  const pools = PLACEMENT_STRATEGIES.map(
    (placement) => `    - name: ${placement}
      placement: ${placement}
      nodes: [{ count: 3, gpu: { model: H100-SXM-80GB, count: 4 }, cpu: 64, memory: 512Gi }]`,
  ).join('\n');
  const generators = PLACEMENT_STRATEGIES.map(
    (placement) => `  - name: ${placement}-jobs
    kind: training
    count: 30
    every: 2m
    project: p
    gpus: [0.25, 0.5, 0.5, 1, 2]
    duration: { median: 20m, p90: 40m }
    nodePools: [${placement}]`,
  ).join('\n');
  return `name: policies
seed: ${seed}
until: 2h
sample: 5m
cluster:
  name: c
  nodePools:
${pools}
  departments: [{ name: d, projects: [{ name: p }] }]
generators:
${generators}
`;
}

const dir = mkdtempSync(join(tmpdir(), 'lwsim-policies-'));

async function report(seed: number) {
  writeFileSync(join(dir, 's.yaml'), scenarioText(seed));
  const loaded = await loadScenarioFile(join(dir, 's.yaml'));
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return replay(loaded.scenario).report;
}

describe('a scenario with a pool per placement policy', () => {
  it('replays byte-identically for one seed, and reports FGD fragmentation for the policy pools only', async () => {
    const a = await report(3);
    expect(JSON.stringify(await report(3))).toBe(JSON.stringify(a));
    expect(JSON.stringify(await report(4))).not.toBe(JSON.stringify(a));
    for (const pool of a.gpu.pools) {
      expect(pool.peakAllocated).toBeGreaterThan(0);
      if (pool.pool === 'binpack' || pool.pool === 'spread') expect(pool.fgd).toBeUndefined();
      else {
        expect(pool.fgd?.placement).toBe(pool.pool);
        expect(pool.fgd!.peakFragmentation).toBeGreaterThanOrEqual(pool.fgd!.meanFragmentation);
        expect(pool.fgd!.peakFragmentation).toBeLessThanOrEqual(1);
      }
    }
  });
});
