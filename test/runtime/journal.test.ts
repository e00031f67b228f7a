import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, type JournalOptions } from '../../src/runtime/journal.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'lwsim-journal-'));
const line = (value: unknown) => `${JSON.stringify(value)}\n`;

/** Opens a journal that must open. */
async function open(dataDir: string, options: JournalOptions = {}) {
  const opened = await Journal.open(dataDir, options);
  if (!opened.ok) throw new Error(opened.message);
  return opened;
}

describe('journal', () => {
  it.each(['process', 'disk'] as const)(
    'rotates: what was appended before goes to the old file, what comes after to the new one (%s)',
    async (durability) => {
      const dataDir = dir();
      const { journal } = await open(dataDir, { durability });
      const before = Array.from({ length: 20 }, (_, i) => journal.append({ kind: 'advance', at: i }));
      // A disk journal's flush is under way; the rotation starts in the same turn as the appends before it.
      const next = join(dataDir, 'journal.next.jsonl');
      const rotated = journal.rotate(next, line({ kind: 'advance', at: 100 }));
      const after = Array.from({ length: 20 }, (_, i) => journal.append({ kind: 'advance', at: 101 + i }));
      await Promise.all([...before, rotated, ...after]);
      const more = Array.from({ length: 5 }, (_, i) => journal.append({ kind: 'advance', at: 200 + i }));
      await Promise.all(more);
      await journal.close();
      const ats = (path: string) =>
        readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => (JSON.parse(l) as { at: number }).at);
      expect(ats(join(dataDir, 'journal.jsonl'))).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(ats(next)).toEqual([100, ...Array.from({ length: 20 }, (_, i) => 101 + i), 200, 201, 202, 203, 204]);
      expect(journal.lines).toBe(26);
    },
  );

  it('appends entries durably and reads them back in order, concurrent appends included', async () => {
    const dataDir = dir();
    const { journal } = await open(dataDir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append({ kind: 'advance', at: i })));
    await journal.append({ kind: 'command', at: 99, command: { type: 'delete', workload: { id: 'w' } } });
    await journal.close();
    const { journal: again, recovery } = await open(dataDir);
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
    const { journal, recovery } = await open(dataDir);
    expect(recovery.entries.map((e) => e.kind === 'command' && e.command)).toEqual([
      { type: 'scale', workload: { id: 'w1' }, replicas: 2 },
      { type: 'fail-pod', workload: { id: 'w2' }, pod: 'p' },
    ]);
    await journal.close();
  });

  it('reports a torn last line and cuts it off so the next append starts clean', async () => {
    const dataDir = dir();
    const path = join(dataDir, 'journal.jsonl');
    writeFileSync(path, `${line({ kind: 'advance', at: 1 })}{"kind":"comm`);
    const { journal, recovery } = await open(dataDir);
    expect(recovery.entries).toHaveLength(1);
    expect(recovery.problems).toEqual([`${path}: 13 bytes at byte 26 cut off (a write torn by a crash)`]);
    await journal.append({ kind: 'advance', at: 2 });
    await journal.close();
    expect(readFileSync(path, 'utf8')).toBe(line({ kind: 'advance', at: 1 }) + line({ kind: 'advance', at: 2 }));
  });

  it.each([
    ['NUL bytes', Buffer.alloc(64)],
    ['a whole entry without its newline', Buffer.from(JSON.stringify({ kind: 'advance', at: 9 }))],
  ])('cuts a tail of %s after the last entry', async (_, tail) => {
    const dataDir = dir();
    const path = join(dataDir, 'journal.jsonl');
    const good = line({ kind: 'advance', at: 1 });
    writeFileSync(path, Buffer.concat([Buffer.from(good), tail]));
    const { journal, recovery } = await open(dataDir);
    expect(recovery.entries.map((e) => e.at)).toEqual([1]);
    await journal.close();
    expect(readFileSync(path, 'utf8')).toBe(good);
  });

  it('takes a complete unreadable line at the end for damage, not for a torn write', async () => {
    const dataDir = dir();
    const path = join(dataDir, 'journal.jsonl');
    const text = `${line({ kind: 'advance', at: 1 })}garbage\n{"kind":"adv`;
    writeFileSync(path, text);
    const opened = await Journal.open(dataDir);
    expect(opened.ok).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('computes the cut on bytes: invalid UTF-8 earlier in the file does not move it', async () => {
    const dataDir = dir();
    const path = join(dataDir, 'journal.jsonl');
    // Each 0xff byte decodes to a 3-byte replacement character: a cut computed on decoded text lands too late.
    const bad = Buffer.concat([
      Buffer.from('{"kind":"advance","at":'),
      Buffer.from([0xff, 0xff, 0xff]),
      Buffer.from('}\n'),
    ]);
    const good = Buffer.from(line({ kind: 'advance', at: 1 }));
    writeFileSync(path, Buffer.concat([good, bad, good, Buffer.from('{"tor')]));
    const { journal } = await open(dataDir, { repair: true });
    await journal.close();
    expect(readFileSync(path)).toEqual(Buffer.concat([good, good]));
  });

  it('refuses damage in the middle, naming each line, its byte offset and what it held; the file is untouched', async () => {
    const dataDir = dir();
    const path = join(dataDir, 'journal.jsonl');
    const create = line({ kind: 'command', at: 2, command: { type: 'create', request: { name: 'llama' } } });
    const text =
      line({ kind: 'advance', at: 1 }) +
      `${create.slice(0, 30)}#${create.slice(31)}` +
      'not json\n' +
      line({ kind: 'advance', at: 3 });
    writeFileSync(path, text);
    const opened = await Journal.open(dataDir);
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.damaged.map((d) => [d.line, d.offset, d.lost])).toEqual([
      [2, 26, `a create command (workload llama), ${create.length - 1} bytes`],
      [3, 26 + create.length, '8 bytes that are no journal entry'],
    ]);
    expect(opened.message).toMatch(/--repair to keep the 2 readable entries/);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('repairs on request: the readable entries in a new journal, the damaged one kept beside it', async () => {
    const dataDir = dir();
    const path = join(dataDir, 'journal.jsonl');
    const text =
      line({ kind: 'advance', at: 1 }) +
      'not json\n' +
      line({ kind: 'mystery', at: 2 }) +
      line({ kind: 'advance', at: 3 });
    writeFileSync(path, text);
    const { journal, recovery } = await open(dataDir, { repair: true });
    expect(recovery.entries.map((e) => e.at)).toEqual([1, 3]);
    expect(recovery.problems[0]).toMatch(
      /2 damaged line\(s\) dropped, 2 kept; the damaged journal is .*journal\.jsonl\.damaged-1/,
    );
    await journal.close();
    expect(readFileSync(`${path}.damaged-1`, 'utf8')).toBe(text);
    expect(readFileSync(path, 'utf8')).toBe(line({ kind: 'advance', at: 1 }) + line({ kind: 'advance', at: 3 }));
    expect(existsSync(`${path}.repairing`)).toBe(false);
  });

  it('reads a creation written with a byte-order mark before its request (before intake dropped it)', async () => {
    const dataDir = dir();
    writeFileSync(
      join(dataDir, 'journal.jsonl'),
      '{"kind":"command","at":5,"command":{"type":"create","request":\uFEFF{"name":"a"},"createdBy":"u"}}\n',
    );
    const { journal, recovery } = await open(dataDir);
    expect(recovery.entries).toHaveLength(1);
    await journal.close();
  });

  it("keeps a creation's id and name on its line", async () => {
    const dataDir = dir();
    const { journal } = await open(dataDir);
    await journal.appendCommand(7, '{"type":"delete","workload":{"id":"x"}}', { id: 'the-id', name: 'the-name' });
    await journal.close();
    const { journal: again, recovery } = await open(dataDir);
    expect(recovery.entries).toEqual([
      {
        kind: 'command',
        at: 7,
        command: { type: 'delete', workload: { id: 'x' } },
        created: { id: 'the-id', name: 'the-name' },
      },
    ]);
    await again.close();
  });
});

describe('journal durability', () => {
  it('writes every entry through to the file in both modes (disk mode also syncs)', async () => {
    for (const durability of ['process', 'disk'] as const) {
      const dataDir = dir();
      const { journal } = await open(dataDir, { durability });
      await Promise.all([1, 2, 3].map((at) => journal.append({ kind: 'advance', at })));
      // Read before close: what a kill -9 right now would leave behind.
      expect(readFileSync(join(dataDir, 'journal.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
      await journal.close();
      await expect(journal.append({ kind: 'advance', at: 4 })).rejects.toThrow(/closed/);
    }
  });
});
