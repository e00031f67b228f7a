import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/runtime/journal.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'lwsim-journal-'));

describe('journal', () => {
  it('appends entries durably and reads them back in order, concurrent appends included', async () => {
    const dataDir = dir();
    const { journal } = await Journal.open(dataDir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append({ kind: 'advance', at: i })));
    await journal.append({ kind: 'command', at: 99, command: { type: 'delete', workload: { id: 'w' } } });
    await journal.close();
    const { journal: again, recovery } = await Journal.open(dataDir);
    expect(recovery.problems).toEqual([]);
    expect(recovery.entries.map((e) => e.at)).toEqual([...Array.from({ length: 50 }, (_, i) => i), 99]);
    await again.close();
  });

  it('reads lines written before the one command vocabulary (workloadId) as workload references', async () => {
    const dataDir = dir();
    writeFileSync(
      join(dataDir, 'journal.jsonl'),
      '{"kind":"command","at":5,"command":{"type":"scale","workloadId":"w1","replicas":2}}\n' +
        '{"kind":"command","at":6,"command":{"type":"fail-pod","workload":{"id":"w2"},"pod":"p"}}\n',
    );
    const { journal, recovery } = await Journal.open(dataDir);
    expect(recovery.entries.map((e) => e.kind === 'command' && e.command)).toEqual([
      { type: 'scale', workload: { id: 'w1' }, replicas: 2 },
      { type: 'fail-pod', workload: { id: 'w2' }, pod: 'p' },
    ]);
    await journal.close();
  });

  it('reports and skips a torn last line, and cuts it off so the next append starts clean', async () => {
    const dataDir = dir();
    const path = join(dataDir, 'journal.jsonl');
    writeFileSync(path, `${JSON.stringify({ kind: 'advance', at: 1 })}\n{"kind":"comm`);
    const { journal, recovery } = await Journal.open(dataDir);
    expect(recovery.entries).toHaveLength(1);
    expect(recovery.problems).toEqual([`${path}:2: unreadable journal line skipped (a write torn by a crash)`]);
    await journal.append({ kind: 'advance', at: 2 });
    await journal.close();
    expect(readFileSync(path, 'utf8')).toBe(
      `${JSON.stringify({ kind: 'advance', at: 1 })}\n${JSON.stringify({ kind: 'advance', at: 2 })}\n`,
    );
  });

  it('skips a corrupt line in the middle without losing the lines after it', async () => {
    const dataDir = dir();
    const path = join(dataDir, 'journal.jsonl');
    appendFileSync(
      path,
      `${JSON.stringify({ kind: 'advance', at: 1 })}\nnot json\n${JSON.stringify({ kind: 'mystery', at: 2 })}\n${JSON.stringify({ kind: 'advance', at: 3 })}\n`,
    );
    const { journal, recovery } = await Journal.open(dataDir);
    expect(recovery.entries.map((e) => e.at)).toEqual([1, 3]);
    expect(recovery.problems).toHaveLength(2);
    await journal.close();
  });
});

describe('journal durability', () => {
  it('writes every entry through to the file in both modes (disk mode also syncs)', async () => {
    for (const durability of ['process', 'disk'] as const) {
      const dataDir = dir();
      const { journal } = await Journal.open(dataDir, durability);
      await Promise.all([1, 2, 3].map((at) => journal.append({ kind: 'advance', at })));
      // Read before close: what a kill -9 right now would leave behind.
      expect(readFileSync(join(dataDir, 'journal.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
      await journal.close();
      await expect(journal.append({ kind: 'advance', at: 4 })).rejects.toThrow(/closed/);
    }
  });
});
