import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seconds } from '../../sim/engine/index.ts';
import { DEFAULT_SCHEDULER_CONFIG } from '../../sim/scheduler/index.ts';
import { DEFAULT_DELAYS } from '../../sim/workloads/delays.ts';
import { JournalDamagedError, LiveCluster } from '../../src/runtime/live-cluster.ts';
import { DEFAULT_SERVER_LIMITS } from '../../sim/simulator/limits.ts';
import { clusterSpec, nodes } from '../support/clusters.ts';
import type { LiveCommand } from '../../src/runtime/commands.ts';
import type { RequestSpec } from '../../src/runai/translate.ts';

const spec = {
  ...clusterSpec({ gpu: [nodes(4)] }),
  departments: [
    {
      name: 'd',
      rank: 0,
      quotas: { gpu: { deserved: 32 } },
      projects: [{ name: 'team', rank: 0, quotas: { gpu: { deserved: 32 } } }],
    },
  ],
};

/** A Run:ai creation request for project `team` (id 101): one group of an 8-GPU leader and an 8-GPU worker. */
function create(
  name: string,
  overrides: RequestSpec = {},
  options: { useGivenNameAsPrefix?: boolean; projectId?: string } = {},
): LiveCommand {
  const pod = {
    image: 'vllm/vllm-openai:v0.6.0',
    compute: { gpuDevicesRequest: 8, cpuCoreRequest: 8, cpuMemoryRequest: '64Gi' },
  };
  const request = {
    name,
    projectId: options.projectId ?? '101',
    clusterId: spec.id,
    useGivenNameAsPrefix: options.useGivenNameAsPrefix ?? false,
    spec: { replicas: 1, workers: 1, leader: pod, worker: pod, ...overrides },
  };
  return { type: 'create', request, createdBy: 'u' };
}

const snapshot = (live: LiveCluster) =>
  JSON.stringify(
    [...live.sync().allWorkloads()].map((w) => [
      w.id,
      w.name,
      w.phase,
      w.replicas,
      w.groups.map((g) => g.pods.map((p) => [p.name, p.node, p.stage])),
    ]),
  );

describe('live cluster', () => {
  it('moves a manual clock only when told, and refuses to advance a running one', async () => {
    const { live } = await LiveCluster.start(spec, {
      timeScale: 0,
      dataDir: mkdtempSync(join(tmpdir(), 'lwsim-live-')),
      seed: 3,
    });
    const created = await live.mutate(create('llama'));
    expect(created.ok).toBe(true);
    expect(live.clock()).toBe(0);
    await live.advance(seconds(600));
    expect(live.clock()).toBe(seconds(600));
    expect([...live.model.allWorkloads()][0]!.phase).toBe('Running');
    await live.close();
    let wall = 1_000_000;
    const running = await LiveCluster.start(spec, {
      timeScale: 60,
      dataDir: mkdtempSync(join(tmpdir(), 'lwsim-live-')),
      seed: 3,
      wallClock: () => wall,
    });
    wall += 2000;
    expect(running.live.clock()).toBe(seconds(120));
    await expect(running.live.advance(1)).rejects.toThrow(/manual clock/);
    await running.live.close();
  });

  it('rebuilds the exact state from the journal after a restart, and resumes the clock', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lwsim-live-'));
    let wall = 5_000;
    const first = await LiveCluster.start(spec, { timeScale: 10, dataDir, seed: 9, wallClock: () => wall });
    const a = await first.live.mutate(create('a', {}, { useGivenNameAsPrefix: true }));
    wall += 3_000;
    const b = await first.live.mutate(create('b', { replicas: 2, workers: 0, worker: null }));
    wall += 1_000;
    expect(a.ok && b.ok).toBe(true);
    await first.live.mutate({
      type: 'scale',
      workload: { id: (b as { value: { id: string } }).value.id },
      replicas: 1,
    });
    await first.live.mutate(create('a', {}, { useGivenNameAsPrefix: true }));
    wall += 20_000;
    const before = snapshot(first.live);
    // No close(): as after kill -9, only what was flushed counts.
    const second = await LiveCluster.start(spec, { timeScale: 10, dataDir, seed: 1234, wallClock: () => wall });
    expect(second.report.replayed).toBe(4);
    expect(second.report.seed).toBe(9);
    expect(second.report.problems).toEqual(['the journal was written with seed 9; replaying with it (not 1234)']);
    expect(second.live.clock()).toBe(seconds(240));
    expect(snapshot(second.live)).toBe(before);
    await second.live.close();
    await first.live.close();
  });

  it("runs the model on the cluster file's scheduler config and delays", async () => {
    const { live } = await LiveCluster.start(spec, {
      timeScale: 0,
      dataDir: mkdtempSync(join(tmpdir(), 'lwsim-live-')),
      seed: 1,
      scheduler: { ...DEFAULT_SCHEDULER_CONFIG, period: seconds(30) },
      delays: { ...DEFAULT_DELAYS, modelLoad: { median: 1000, p90: 1000 } },
    });
    await live.mutate(create('llama'));
    await live.advance(seconds(29));
    const [workload] = live.model.allWorkloads();
    expect(workload!.firstScheduledAt).toBeNull();
    await live.advance(seconds(1));
    expect(workload!.firstScheduledAt).toBe(seconds(30));
    // Loading the model takes 1000 s: Initializing well after the defaults would have made it Running.
    await live.advance(seconds(600));
    expect(workload!.phase).toBe('Initializing');
    await live.close();
  });

  it('does not journal what it refuses', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lwsim-live-'));
    const { live } = await LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 1 });
    expect((await live.mutate({ type: 'delete', workload: { id: 'nope' } })).ok).toBe(false);
    expect((await live.mutate(create('ghost', {}, { projectId: '999' }))).ok).toBe(false);
    await live.close();
    const again = await LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 1 });
    expect(again.report.replayed).toBe(0);
    await again.live.close();
  });

  it('writes a creation as its request alone, and replays creations that also carry a spec (older journals)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lwsim-live-'));
    const { live } = await LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 5 });
    const command = create('llama', { replicas: 2 });
    await live.mutate(command);
    await live.close();
    const lines = readFileSync(join(dataDir, 'journal.jsonl'), 'utf8').trim().split('\n');
    const [workload] = live.model.allWorkloads();
    expect(JSON.parse(lines[1]!)).toEqual({
      kind: 'command',
      at: 0,
      command,
      created: { id: workload!.id, name: 'llama' },
    });
    // What lwsim wrote before: the derived spec beside the request (ignored now: derived again from the request).
    const older = {
      kind: 'command',
      at: 0,
      command: { ...command, spec: { name: 'llama' }, useGivenNameAsPrefix: false },
    };
    writeFileSync(join(dataDir, 'journal.jsonl'), `${lines[0]}\n${JSON.stringify(older)}\n`);
    const again = await LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 5 });
    expect(again.report.problems).toEqual([]);
    expect([...again.live.model.allWorkloads()].map((w) => [w.name, w.replicas, JSON.parse(w.request)])).toEqual([
      ['llama', 2, command.type === 'create' && command.request],
    ]);
    await again.live.close();
  });

  it('refuses a journal written for another cluster', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lwsim-live-'));
    const { live } = await LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 1 });
    await live.close();
    await expect(
      LiveCluster.start({ ...spec, id: '11111111-1111-4111-8111-111111111111' }, { timeScale: 0, dataDir, seed: 1 }),
    ).rejects.toThrow(/belongs to cluster/);
  });
});

describe('workload ids never change meaning', () => {
  const ids = (live: LiveCluster) =>
    [...live.sync().allWorkloads()].map((w) => [w.id, w.name, w.deletedAt === null ? 'live' : 'deleted'] as const);
  const journalPath = (dataDir: string) => join(dataDir, 'journal.jsonl');

  it('after a damaged line is repaired away, every later id names the workload it named, deletes included', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lwsim-live-'));
    const { live } = await LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 3 });
    const made = [];
    for (const command of [
      create('a', { replicas: 0 }),
      create('b', { replicas: 0 }, { useGivenNameAsPrefix: true }),
      create('c', { replicas: 0 }),
    ]) {
      const result = await live.mutate(command);
      if (!result.ok || typeof result.value === 'string') throw new Error('create failed');
      made.push(result.value.id);
    }
    expect((await live.mutate({ type: 'delete', workload: { id: made[2]! } })).ok).toBe(true);
    const before = ids(live);
    await live.close();
    // Damage the first creation's line (line 2: line 1 is the start's anchor).
    const lines = readFileSync(journalPath(dataDir), 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"kind":"command"', '"kind":"comm\u0000nd"');
    writeFileSync(journalPath(dataDir), lines.join('\n'));
    await expect(LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 3 })).rejects.toThrow(JournalDamagedError);
    await expect(LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 3 })).rejects.toThrow(
      /line 2 at byte \d+: a create command \(workload a\)/,
    );
    const repaired = await LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 3, repair: true });
    expect(ids(repaired.live)).toEqual(before.slice(1));
    await repaired.live.close();
  });

  it('an id shown before a crash but never journaled is not handed to another workload', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lwsim-live-'));
    const { live } = await LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 3 });
    await live.mutate(create('a', { replicas: 0 }));
    const lost = await live.mutate(create('b', { replicas: 0 }));
    await live.close();
    // The kill came before b's line reached the file.
    const lines = readFileSync(journalPath(dataDir), 'utf8').trim().split('\n');
    writeFileSync(journalPath(dataDir), `${lines.slice(0, -1).join('\n')}\n`);
    const second = await LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 3 });
    const c = await second.live.mutate(create('c', { replicas: 0 }));
    if (!lost.ok || !c.ok || typeof lost.value === 'string' || typeof c.value === 'string')
      throw new Error('create failed');
    expect(c.value.id).not.toBe(lost.value.id);
    const shown = ids(second.live);
    await second.live.close();
    // And each start's ids stay what they were.
    const third = await LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 3 });
    expect(ids(third.live)).toEqual(shown);
    const d = await third.live.mutate(create('d', { replicas: 0 }));
    if (!d.ok || typeof d.value === 'string') throw new Error('create failed');
    const fresh = d.value.id;
    expect(shown.map(([id]) => id)).not.toContain(fresh);
    expect(fresh).not.toBe(lost.value.id);
    await third.live.close();
  });
  it("repeats no id even when damage takes a start's anchor and its deleted workloads are forgotten", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lwsim-live-'));
    const limits = { ...DEFAULT_SERVER_LIMITS, deletedWorkloadsKept: 0 };
    const at = (wallMs: number) => ({ timeScale: 0, dataDir, seed: 3, limits, wallClock: () => wallMs });
    (await LiveCluster.start(spec, at(1_000))).live.close();
    const second = await LiveCluster.start(spec, at(2_000));
    const b = await second.live.mutate(create('b', { replicas: 0 }));
    if (!b.ok || typeof b.value === 'string') throw new Error('create failed');
    const shown = b.value.id;
    expect((await second.live.mutate({ type: 'delete', workload: { id: shown } })).ok).toBe(true);
    await second.live.close();
    // Damage the second start's anchor: the next start counts one start fewer.
    const lines = readFileSync(journalPath(dataDir), 'utf8').split('\n');
    const anchor = lines.findIndex((l, i) => i > 0 && l.includes('"kind":"anchor"'));
    lines[anchor] = lines[anchor]!.replace('"kind"', '"ki\u0000d"');
    writeFileSync(journalPath(dataDir), lines.join('\n'));
    const third = await LiveCluster.start(spec, { ...at(3_000), repair: true });
    const c = await third.live.mutate(create('c', { replicas: 0 }));
    if (!c.ok || typeof c.value === 'string') throw new Error('create failed');
    expect(c.value.id).not.toBe(shown);
    await third.live.close();
  });
});

describe('limits', () => {
  const limits = { podsPerWorkload: 8, podsPerCluster: 10, pendingGangsPerProject: 3, deletedWorkloadsKept: 10 };

  it('refuse a workload, a cluster or a backlog too large, naming the limit; a replay ignores them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lwsim-live-'));
    const { live } = await LiveCluster.start(spec, {
      timeScale: 0,
      dataDir,
      seed: 1,
      limits: { ...limits, pendingGangsPerProject: 100 },
    });
    const refusal = async (command: LiveCommand) => {
      const r = await live.mutate(command);
      return r.ok ? 'accepted' : r.message;
    };
    expect(await refusal(create('big', { replicas: 5 }))).toMatch(/10 pods, above the limit of 8 .*podsPerWorkload/);
    expect(await refusal(create('a', { replicas: 3 }))).toBe('accepted');
    // 6 pods held; 2 groups of 2 more would be 10: at the limit, accepted; then no room for one more group.
    expect(await refusal(create('b', { replicas: 2 }))).toBe('accepted');
    expect(await refusal(create('c', { replicas: 1 }))).toMatch(/would make 12 in the cluster.*podsPerCluster/);
    await live.close();
    // Tighter limits later: what was accepted is replayed whole, and only new work is refused.
    const again = await LiveCluster.start(spec, {
      timeScale: 0,
      dataDir,
      seed: 1,
      limits: { ...limits, podsPerCluster: 4 },
    });
    expect([...again.live.model.allWorkloads()].map((w) => w.name)).toEqual(['a', 'b']);
    expect(again.report.problems).toEqual([]);
    await again.live.close();
  });

  it('refuse more waiting groups than a project may have', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lwsim-live-'));
    const { live } = await LiveCluster.start(spec, {
      timeScale: 0,
      dataDir,
      seed: 1,
      limits: { ...limits, podsPerWorkload: 100, podsPerCluster: 100 },
    });
    expect((await live.mutate(create('w', { replicas: 3 }))).ok).toBe(true);
    const r = await live.mutate(create('x', { replicas: 1 }));
    expect(r.ok ? '' : r.message).toMatch(/already has 3 groups waiting .*pendingGangsPerProject/);
    // Two of the three groups fit the cluster's 32 GPUs: once placed, two more may wait.
    await live.advance(seconds(5));
    expect((await live.mutate(create('x', { replicas: 2 }))).ok).toBe(true);
    expect((await live.mutate(create('y', { replicas: 1 }))).ok).toBe(false);
    await live.close();
  });

  it('keep the latest deleted workloads only, during a replay too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lwsim-live-'));
    const options = { timeScale: 0, dataDir, seed: 1, limits: { ...limits, deletedWorkloadsKept: 2 } };
    const { live } = await LiveCluster.start(spec, options);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await live.mutate(create(`w${i}`, { replicas: 0 }));
      if (!r.ok || typeof r.value === 'string') throw new Error('create failed');
      ids.push(r.value.id);
      expect((await live.mutate({ type: 'delete', workload: { id: r.value.id } })).ok).toBe(true);
    }
    const kept = (l: LiveCluster) => [...l.sync().allWorkloads()].map((w) => w.name);
    expect(kept(live)).toEqual(['w3', 'w4']);
    expect(live.model.workload(ids[0]!)).toBeUndefined();
    await live.close();
    const again = await LiveCluster.start(spec, options);
    expect(kept(again.live)).toEqual(['w3', 'w4']);
    await again.live.close();
  });
});
