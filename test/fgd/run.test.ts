import { describe, expect, it } from 'vitest';
import { Random } from '../../sim/engine/random.ts';
import { PodKeys, POLICIES, runPods, type PolicyName } from '../../sim/fgd/index.ts';
import { openbPod, spec } from './helpers.ts';

function run(policy: PolicyName, prefixes: number[], pods = [openbPod('a', 1000, 500, 1)]) {
  const keys = new PodKeys();
  const nodes = [spec('node-a', 2), spec('node-b', 2), spec('node-c', 2, 'A10')];
  return runPods({
    nodes,
    prefixes,
    pods: pods.map((p) => keys.request(p)),
    policy: POLICIES[policy],
    typical: [{ milliCpu: 1000, milliGpu: 500, gpuNumber: 1, gpuSpec: [], frequency: 1 }],
    rng: new Random(1),
    keyCount: keys.size,
  });
}

describe('one pod at a time', () => {
  it('breaks equal scores toward the smallest random prefix', () => {
    expect(run('bestfit', [0, 1, 2]).chosen[0]).toBe(0);
    expect(run('bestfit', [2, 0, 1]).chosen[0]).toBe(1);
    expect(run('bestfit', [1, 2, 0]).chosen[0]).toBe(2);
  });

  it('keeps a pod off nodes of GPU types it does not accept, and drops it when none is left', () => {
    const pods = [openbPod('a', 1000, 1000, 2, ['A10']), openbPod('b', 1000, 1000, 2, ['A10'])];
    const trace = run('fgd', [2, 1, 0], pods);
    expect([...trace.chosen]).toEqual([2, -1]);
    expect(trace.failed).toBe(1);
  });

  it('records arrived demand (failed pods too), allocation and fragmentation after every pod', () => {
    const pods = [
      openbPod('a', 1000, 1000, 2),
      openbPod('b', 1000, 1000, 2),
      openbPod('c', 1000, 1000, 2),
      openbPod('d', 1000, 1000, 2),
    ];
    const trace = run('gpu-packing', [0, 1, 2], pods);
    expect([...trace.arrivedMilli]).toEqual([2000, 4000, 6000, 8000]);
    expect([...trace.usedMilli]).toEqual([2000, 4000, 6000, 6000]);
    expect(trace.fragRatio[0]).toBe(0);
    expect(trace.placed).toBe(3);
  });

  it('lets Random choose among every feasible node', () => {
    const pods = Array.from({ length: 6 }, (_, i) => openbPod(`p${i}`, 1000, 100, 1));
    expect(new Set(run('random', [0, 1, 2], pods).chosen).size).toBeGreaterThan(1);
  });
});
