// Journal compaction on real files: it happens, the journal after it stays short, a start from snapshot + tail
// rebuilds exactly what a replay of the whole journal does, a crash at any step loses nothing, and a damaged
// snapshot refuses the start until --repair rebuilds it from the journal before it.
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from '../../sim/cluster/index.ts';
import { seconds } from '../../sim/engine/index.ts';
import { JournalDamagedError, LiveCluster, type LiveOptions } from '../../src/runtime/live-cluster.ts';
import type { LiveCommand } from '../../src/runtime/commands.ts';
import { DEFAULT_SERVER_LIMITS } from '../../sim/simulator/limits.ts';
import { clusterSpec, nodes } from '../support/clusters.ts';

const spec: ClusterSpec = {
  ...clusterSpec({ gpu: [nodes(4, { topology: { rack: 2 } })] }, ['rack']),
  departments: [
    {
      name: 'd',
      rank: 0,
      quotas: { gpu: { deserved: 16 } },
      projects: [
        { name: 'team', rank: 0, quotas: { gpu: { deserved: 16 } } },
        { name: 'other', rank: 0, quotas: {} },
      ],
    },
  ],
};

function create(name: string, project: string, gpus: number, replicas = 1): LiveCommand {
  const pod = { image: 'vllm', compute: { gpuDevicesRequest: gpus, cpuCoreRequest: 2, cpuMemoryRequest: '8Gi' } };
  const request = {
    name,
    projectId: project === 'team' ? '101' : '102',
    clusterId: spec.id,
    useGivenNameAsPrefix: true,
    spec: { replicas, workers: 1, leader: pod, worker: pod },
  };
  return { type: 'create', request, createdBy: 'u' };
}

const wall = () => 1_000_000;
const start = (dataDir: string, options: Partial<LiveOptions> = {}) =>
  LiveCluster.start(spec, { timeScale: 0, dataDir, seed: 5, wallClock: wall, ...options });

/** Creates, scales and deletes in turn, the clock moving between, so gangs wait, run, get reclaimed and end. */
async function churn(live: LiveCluster, rounds: number, tag: string): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const a = await live.mutate(create(`${tag}-a${i}`, 'other', 4, 2));
    const b = await live.mutate(create(`${tag}-b${i}`, 'team', 8));
    await live.advance(seconds(5 + (i % 7) * 13));
    if (a.ok && typeof a.value !== 'string')
      await live.mutate({ type: 'scale', workload: { id: a.value.id }, replicas: 1 });
    if (i % 5 === 2) await live.mutate({ type: 'node', node: 'gpu-1', ready: i % 10 !== 2 });
    await live.advance(seconds(40));
    if (b.ok && typeof b.value !== 'string') await live.mutate({ type: 'delete', workload: { id: b.value.id } });
    if (a.ok && typeof a.value !== 'string' && i % 3 === 0)
      await live.mutate({ type: 'delete', workload: { id: a.value.id } });
  }
}

/** Everything a client can see, and the model's own snapshot (its whole state). */
function observable(live: LiveCluster): unknown {
  const model = live.sync();
  const workloads = [...model.allWorkloads()];
  const snapshot = model.snapshot();
  return {
    now: model.now,
    workloads: JSON.parse(JSON.stringify(workloads)),
    records: workloads.map((w) => live.history.records(w.id) ?? null),
    points: workloads.map((w) => live.history.allocation(w.id) ?? null),
    allocations: JSON.parse(JSON.stringify(live.allocations.snapshot())),
    model: snapshot.ok ? JSON.parse(JSON.stringify(snapshot.value)) : snapshot.reason,
  };
}

const firstLine = (path: string) => JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!) as Record<string, unknown>;
const lineCount = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '').length;
const tempDir = () => mkdtempSync(join(tmpdir(), 'lwsim-compact-'));

describe('journal compaction', () => {
  it('compacts as the journal grows, keeps the tail short, and a restart replays only the tail', async () => {
    const dir = tempDir();
    const logged: string[] = [];
    const limits = { ...DEFAULT_SERVER_LIMITS, deletedWorkloadsKept: 20 };
    const options = { compaction: { entries: 100 }, limits };
    const { live } = await start(dir, { ...options, log: (m) => logged.push(m) });
    // Create/delete pairs, as the soak's churn: history grows, the state does not.
    const pairs = 1500;
    for (let i = 0; i < pairs; i++) {
      const created = await live.mutate(create(`pair-${i}`, 'team', 8));
      if (created.ok && typeof created.value !== 'string')
        await live.mutate({ type: 'delete', workload: { id: created.value.id } });
      if (i % 50 === 0) await live.advance(seconds(30));
    }
    await new Promise((resolve) => setImmediate(resolve));
    const before = observable(live);
    await live.close();
    expect(logged.filter((m) => /compacted into snapshot-\d+\.json/.test(m)).length).toBeGreaterThan(2);
    const journal = join(dir, 'journal.jsonl');
    const base = firstLine(journal) as { kind: string; snapshot: string };
    expect(base).toMatchObject({ kind: 'base', snapshot: expect.stringMatching(/^snapshot-\d+\.json$/) });
    // Due at 100 lines (the tail is larger than the snapshot here), plus what came while a compaction ran: of the
    // 3,000+ lines written, the tail keeps a fraction.
    expect(lineCount(journal)).toBeLessThan((2 * pairs) / 3);
    // The current snapshot and the one before it (named by journal.prev.jsonl); no temp files.
    expect(readdirSync(dir).filter((f) => f.startsWith('snapshot-')).length).toBe(2);
    const again = await start(dir, options);
    expect(again.report.replayed).toBeLessThan((2 * pairs) / 3);
    expect(observable(again.live)).toEqual(before);
    await again.live.close();
  });

  it.each(['process', 'disk'] as const)(
    'a start from snapshot and tail is the start from the whole journal, and both go on alike (%s durability)',
    async (durability) => {
      const compacted = tempDir();
      const whole = tempDir();
      const runs = await Promise.all([
        start(compacted, { compaction: { entries: 25 }, durability }),
        start(whole, { compaction: { entries: 0 }, durability }),
      ]);
      for (const { live } of runs) await churn(live, 30, 'x');
      for (const { live } of runs) await live.close();
      expect(firstLine(join(compacted, 'journal.jsonl')).kind).toBe('base');
      expect(firstLine(join(whole, 'journal.jsonl')).kind).toBe('anchor');
      const restarted = await Promise.all([start(compacted), start(whole)]);
      expect(observable(restarted[0].live)).toEqual(observable(restarted[1].live));
      for (const { live } of restarted) await churn(live, 10, 'y');
      expect(observable(restarted[0].live)).toEqual(observable(restarted[1].live));
      for (const { live } of restarted) await live.close();
    },
  );

  it.each(['process', 'disk'] as const)(
    'keeps every change acknowledged while it rotates under concurrent requests (%s)',
    async (durability) => {
      const dir = tempDir();
      const { live } = await start(dir, {
        compaction: { entries: 40 },
        durability,
        limits: { ...DEFAULT_SERVER_LIMITS, deletedWorkloadsKept: 5 },
      });
      const acked: string[] = [];
      const one = async (i: number) => {
        const r = await live.mutate(create(`c-${i}`, i % 2 === 0 ? 'team' : 'other', 1));
        if (r.ok && typeof r.value !== 'string') acked.push(r.value.id);
      };
      await Promise.all(Array.from({ length: 300 }, (_, i) => one(i)));
      const compactions = await live.compact();
      expect(compactions.ok).toBe(true);
      await Promise.all(Array.from({ length: 100 }, (_, i) => one(300 + i)));
      const before = observable(live);
      await live.close();
      const again = await start(dir);
      expect(acked.length).toBe(400);
      for (const id of acked) expect(again.live.model.workload(id)).toBeDefined();
      expect(observable(again.live)).toEqual(before);
      await again.live.close();
    },
  );

  it('compacts at start a journal that a replay found long (one written before compaction, say)', async () => {
    const dir = tempDir();
    const { live } = await start(dir, { compaction: { entries: 0 } });
    await churn(live, 20, 'old');
    const state = observable(live);
    await live.close();
    expect(firstLine(join(dir, 'journal.jsonl')).kind).toBe('anchor');
    const logged: string[] = [];
    const again = await start(dir, { compaction: { entries: 50 }, log: (m) => logged.push(m) });
    expect(again.report.replayed).toBeGreaterThan(50);
    await new Promise((resolve) => setImmediate(resolve)); // the compaction starts in a turn of its own
    await again.live.close(); // and the close waits for it
    expect(logged.join('\n')).toMatch(/compacted into snapshot-1\.json/);
    expect(firstLine(join(dir, 'journal.jsonl')).kind).toBe('base');
    const third = await start(dir);
    expect(third.report).toMatchObject({ restored: 'snapshot-1.json', replayed: 0 });
    expect(observable(third.live)).toEqual(state);
    await third.live.close();
  });

  describe('a crash at any step of a compaction loses nothing', () => {
    /** A data directory just compacted, the state it holds, and the journal in full (compaction off) for reference. */
    async function compactedDir(): Promise<{ dir: string; state: unknown }> {
      const dir = tempDir();
      const { live } = await start(dir, { compaction: { entries: 0 } });
      await churn(live, 12, 'c');
      await live.compact();
      await churn(live, 3, 'd');
      const state = observable(live);
      await live.close();
      return { dir, state };
    }
    const file = (dir: string, name: string) => join(dir, name);
    /** Puts the files back as they were before step 3 (the journal not yet moved to journal.prev.jsonl). */
    function beforePromotion(dir: string): void {
      renameSync(file(dir, 'journal.jsonl'), file(dir, 'journal.next.jsonl'));
      renameSync(file(dir, 'journal.prev.jsonl'), file(dir, 'journal.jsonl'));
    }
    const snapshotOf = (dir: string) => readdirSync(dir).find((f) => /^snapshot-\d+\.json$/.test(f))!;

    it('after the rotation, before the snapshot is written: the lines since are appended to the old journal', async () => {
      const { dir, state } = await compactedDir();
      beforePromotion(dir);
      unlinkSync(file(dir, snapshotOf(dir)));
      const { live, report } = await start(dir);
      expect(report.problems.join('\n')).toMatch(/undid a compaction/);
      expect(observable(live)).toEqual(state);
      expect(existsSync(file(dir, 'journal.next.jsonl'))).toBe(false);
      expect(firstLine(file(dir, 'journal.jsonl')).kind).toBe('anchor');
      await live.close();
    });

    it('with a half-written snapshot (its temp file, or a file of the wrong SHA-256): the same', async () => {
      for (const damage of ['temp', 'wrong'] as const) {
        const { dir, state } = await compactedDir();
        beforePromotion(dir);
        const name = snapshotOf(dir);
        const text = readFileSync(file(dir, name), 'utf8');
        unlinkSync(file(dir, name));
        if (damage === 'temp') writeFileSync(file(dir, `${name}.tmp`), text.slice(0, text.length / 2));
        else writeFileSync(file(dir, name), text.slice(0, text.length / 2));
        const { live } = await start(dir);
        expect(observable(live)).toEqual(state);
        expect(readdirSync(dir).filter((f) => f.startsWith('snapshot-'))).toEqual([]);
        await live.close();
      }
    });

    it('after the snapshot is whole, before or between the renames: the compaction is finished', async () => {
      for (const step of ['before', 'between'] as const) {
        const { dir, state } = await compactedDir();
        if (step === 'before') beforePromotion(dir);
        else renameSync(file(dir, 'journal.jsonl'), file(dir, 'journal.next.jsonl'));
        const { live, report } = await start(dir);
        expect(report.problems.join('\n')).toMatch(/finished a compaction/);
        expect(observable(live)).toEqual(state);
        expect(firstLine(file(dir, 'journal.jsonl')).kind).toBe('base');
        expect(existsSync(file(dir, 'journal.prev.jsonl'))).toBe(true);
        await live.close();
      }
    });

    it('before the next journal had its first line: it is removed', async () => {
      const { dir, state } = await compactedDir();
      beforePromotion(dir);
      const next = file(dir, 'journal.next.jsonl');
      writeFileSync(next, readFileSync(next, 'utf8').slice(0, 40));
      const { live } = await start(dir);
      expect(observable(live)).not.toEqual(state); // the lines after the rotation never made it to the disk
      expect(existsSync(next)).toBe(false);
      await live.close();
    });
  });

  it('a damaged snapshot refuses the start; --repair rebuilds it from the journal before it', async () => {
    const dir = tempDir();
    const { live } = await start(dir, { compaction: { entries: 0 } });
    await churn(live, 8, 'p');
    await live.compact();
    await churn(live, 8, 'q');
    await live.compact();
    await churn(live, 4, 's');
    const state = observable(live);
    await live.close();
    const current = (firstLine(join(dir, 'journal.jsonl')) as { snapshot: string }).snapshot;
    const path = join(dir, current);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"clock":', '"clock": '));
    await expect(start(dir)).rejects.toThrow(JournalDamagedError);
    await expect(start(dir)).rejects.toThrow(/is damaged: its SHA-256 is .*Start with --repair to rebuild it from/s);
    const repaired = await start(dir, { repair: true });
    expect(repaired.report.problems.join('\n')).toMatch(/repaired: .* rebuilt from .*journal\.prev\.jsonl/);
    expect(observable(repaired.live)).toEqual(state);
    // A fresh snapshot replaces the damaged one at once.
    const compacted = await repaired.live.compact();
    expect(compacted.ok).toBe(true);
    await repaired.live.close();
    const after = await start(dir);
    expect(observable(after.live)).toEqual(state);
    await after.live.close();
  });

  it('refuses to start, --repair or not, when the first line (the base) is damaged, and keeps the snapshot', async () => {
    const dir = tempDir();
    const { live } = await start(dir, { compaction: { entries: 0 } });
    await churn(live, 3, 'b');
    await live.compact();
    await churn(live, 2, 'c');
    await live.close();
    const journal = join(dir, 'journal.jsonl');
    const text = readFileSync(journal, 'utf8');
    writeFileSync(journal, text.replace('"kind":"base"', '"kind":"base\u0000'));
    for (const repair of [false, true])
      await expect(start(dir, { repair })).rejects.toThrow(/first line cannot be read.*--repair cannot drop it/s);
    expect(readdirSync(dir).filter((f) => /^snapshot-\d+\.json$/.test(f)).length).toBe(1);
  });

  it('refuses a snapshot taken under another cluster file', async () => {
    const dir = tempDir();
    const { live } = await start(dir, { compaction: { entries: 0 } });
    await churn(live, 3, 'f');
    await live.compact();
    await live.close();
    const other = { ...spec, nodePools: [{ ...spec.nodePools[0]!, nodes: [nodes(5, { topology: { rack: 2 } })] }] };
    await expect(LiveCluster.start(other, { timeScale: 0, dataDir: dir, seed: 5 })).rejects.toThrow(
      /taken with another cluster file/,
    );
  });

  it('does not compact while workloads are served with traffic, and says so', async () => {
    const dir = tempDir();
    const logged: string[] = [];
    const traffic = new Map([['served', { serve: { model: 'llama-3-8b' } }]]) as unknown as LiveOptions['traffic'];
    const { live } = await start(dir, { compaction: { entries: 0 }, traffic, log: (m) => logged.push(m) });
    await live.mutate(create('served', 'team', 8));
    const result = await live.compact();
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/served request by request/) });
    expect(logged.join('\n')).toMatch(/not compacted: 1 workload\(s\) with traffic .* the journal is kept whole/);
    expect(firstLine(join(dir, 'journal.jsonl')).kind).toBe('anchor');
    await live.close();
  });
});
