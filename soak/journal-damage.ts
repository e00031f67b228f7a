// Journal damage: each kind written into a real journal, then the server started on it. A torn tail (bytes after
// the last newline) is cut and everything before it kept; a damaged complete line, anywhere, stops the start
// (naming the line) until --repair, which keeps every readable entry and the damaged file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listWorkloads } from './kill-rounds.ts';
import { call, creation, DI, ServerExit, startServer } from './server-process.ts';

export interface DamageCase {
  readonly damage: string;
  /** What the start did: started, or refused until --repair. */
  readonly outcome: string;
  /** Workloads kept of those acknowledged, and whether each kept id names the workload it named. */
  readonly kept: number;
  readonly expected: number;
  readonly idsIntact: boolean;
  readonly ok: boolean;
}

/** Line 1 is the first start's anchor and lines 2..21 the 20 creations: `loses` is how many a damage destroys. */
const KINDS: readonly { name: string; refused: boolean; loses: number; damage: (lines: Buffer[]) => Buffer[] }[] = [
  { name: 'torn tail', refused: false, loses: 0, damage: (l) => [...l, Buffer.from('{"kind":"command","at":1,"comm')] },
  { name: 'garbage lines at the end', refused: true, loses: 0, damage: (l) => [...l, Buffer.from('garbage\n#!@\n')] },
  { name: 'NUL bytes at the end', refused: false, loses: 0, damage: (l) => [...l, Buffer.alloc(4096)] },
  {
    name: 'a damaged middle line',
    refused: true,
    loses: 1,
    damage: (l) => l.map((b, i) => (i === 5 ? Buffer.from(b.toString().replace('"kind"', '"ki\u0000d"')) : b)),
  },
  {
    name: 'invalid UTF-8 in the middle',
    refused: true,
    loses: 1,
    damage: (l) =>
      l.map((b, i) => (i === 8 ? Buffer.concat([b.subarray(0, 20), Buffer.from([0xff, 0xfe]), b.subarray(22)]) : b)),
  },
  {
    name: 'NUL bytes in the middle',
    refused: true,
    loses: 0,
    damage: (l) => [...l.slice(0, 10), Buffer.alloc(64), Buffer.from('\n'), ...l.slice(10)],
  },
];

export async function journalDamage(dir: (name: string) => string): Promise<DamageCase[]> {
  const cases: DamageCase[] = [];
  for (const kind of KINDS) {
    const at = dir(kind.name);
    const first = await startServer(at);
    for (let i = 0; i < 20; i++) await call(first.url, 'POST', DI, creation(`w${i}`, i % 2));
    const before = await listWorkloads(first.url);
    await first.stop();
    const path = join(at, 'data', 'journal.jsonl');
    const lines = splitLines(readFileSync(path));
    writeFileSync(path, Buffer.concat(kind.damage(lines)));
    let outcome = 'started';
    let server;
    try {
      server = await startServer(at);
    } catch (e) {
      if (!(e instanceof ServerExit)) throw e;
      const named = /line \d+ at byte \d+/.test(e.output);
      outcome = `refused (exit ${e.code}${named ? ', names line and byte' : ''}); --repair started`;
      server = await startServer(at, ['--repair']);
      if (!existsSync(`${path}.damaged-1`)) outcome += ' but kept no damaged file';
    }
    const after = await listWorkloads(server.url);
    await server.stop();
    const idsIntact = [...after].every(([id, [name]]) => before.get(id)?.[0] === name);
    const expected = before.size - kind.loses;
    const refused = outcome.startsWith('refused') && outcome.includes('names line and byte');
    const ok = idsIntact && after.size === expected && (kind.refused ? refused : outcome === 'started');
    cases.push({ damage: kind.name, outcome, kept: after.size, expected, idsIntact, ok });
  }
  return cases;
}

/** The file's lines, each with its newline. */
function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end < 0 ? bytes.length : end + 1;
    lines.push(bytes.subarray(start, stop));
    start = stop;
  }
  return lines;
}
