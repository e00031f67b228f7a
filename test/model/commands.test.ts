import { describe, expect, it } from 'vitest';
import { seconds } from '../../sim/engine/index.ts';
import { applyCommand, type Command, type CommandResult, type WorkloadNames } from '../../sim/simulator/commands.ts';
import { inference, model } from '../support/workloads.ts';

const create = (name: string, overrides = {}): Command => ({
  type: 'create',
  spec: inference({ name, ...overrides }),
  useGivenNameAsPrefix: false,
  createdBy: 'test',
  request: '{}',
});

const idOf = (r: CommandResult): string => (r.ok && typeof r.value !== 'string' ? r.value.id : '');

describe('applyCommand', () => {
  it('resolves name references to the latest workload created under the name', () => {
    const cluster = model();
    const names: WorkloadNames = new Map();
    const first = applyCommand(cluster, create('a'), names);
    expect(first.ok).toBe(true);
    expect(applyCommand(cluster, { type: 'delete', workload: { name: 'a' } }, names).ok).toBe(true);
    cluster.advanceTo(seconds(60));
    const second = applyCommand(cluster, create('a'), names);
    expect(second.ok && idOf(second) !== idOf(first)).toBe(true);
    expect(names.get('a')).toBe(idOf(second));
    const scaled = applyCommand(cluster, { type: 'scale', workload: { name: 'a' }, replicas: 2 }, names);
    expect(scaled.ok && typeof scaled.value !== 'string' && scaled.value.replicas).toBe(2);
  });

  it('refuses a reference it cannot resolve, naming it, and changes nothing', () => {
    const cluster = model();
    expect(applyCommand(cluster, { type: 'fail-pod', workload: { name: 'ghost' }, pod: 'p' })).toEqual({
      ok: false,
      error: 'not-found',
      message: 'workload ghost not found',
    });
    expect(applyCommand(cluster, { type: 'scale', workload: { id: 'nope' }, replicas: 1 })).toMatchObject({
      ok: false,
      error: 'not-found',
    });
    expect([...cluster.allWorkloads()]).toHaveLength(0);
  });

  it('refuses an invalid command with the field in its message', () => {
    const cluster = model();
    const created = applyCommand(cluster, create('a'));
    expect(created.ok).toBe(true);
    const id = idOf(created);
    expect(applyCommand(cluster, { type: 'scale', workload: { id }, replicas: -1 })).toMatchObject({
      ok: false,
      error: 'invalid',
      message: expect.stringContaining('spec.replicas'),
    });
    expect(applyCommand(cluster, { type: 'node', node: 'no-such-node', ready: false })).toMatchObject({
      ok: false,
      error: 'not-found',
      message: expect.stringContaining('no-such-node'),
    });
  });
});

describe('a fork', () => {
  it("keeps a training job's clock: the fork's job completes when the original's does", () => {
    const cluster = model();
    const created = applyCommand(cluster, create('job', { runFor: seconds(600) }));
    expect(created.ok).toBe(true);
    const id = idOf(created);
    cluster.advanceTo(seconds(300));
    expect(cluster.workload(id)!.phase).toBe('Running');
    const fork = cluster.fork();
    for (const c of [cluster, fork]) c.advanceTo(seconds(2000));
    expect(fork.workload(id)!.completedAt).toBe(cluster.workload(id)!.completedAt);
    expect(cluster.workload(id)!.completedAt).not.toBeNull();
    // The fork's own: a node failure there does not reach the original.
    const other = cluster.fork();
    other.setNodeReady('gpu-0', false);
    expect(other.scheduler.cluster.readyGpus(0)).toBe(24);
    expect(cluster.scheduler.cluster.readyGpus(0)).toBe(32);
  });
});
