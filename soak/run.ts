// `npm run soak`: the reliability suite (not part of `npm test`). kill -9 rounds, journal damage, a fuzz of
// every route, the limits, memory under churn and slow subscribers, each against a real `lwsim serve` process;
// a table of figures against the targets at the end. `--quick` runs each part small (a smoke run).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { churn, slowSubscribers } from './churn.ts';
import { fuzz } from './fuzz.ts';
import { journalDamage } from './journal-damage.ts';
import { killRounds } from './kill-rounds.ts';
import { limits, startProbe } from './limits.ts';
import { startServer } from './server-process.ts';

const quick = process.argv.includes('--quick');
const size = quick
  ? { rounds: 3, fuzz: 1_000, churn: 2_000, subscriberPairs: 500 }
  : { rounds: 20, fuzz: 20_000, churn: 100_000, subscriberPairs: 5_000 };
const dir = (name: string) => mkdtempSync(join(tmpdir(), `lwsim-soak-${name.replace(/\W+/g, '-')}-`));
const rows: [string, string, string, boolean][] = [];
const row = (figure: string, value: string, target: string, ok: boolean) => {
  rows.push([figure, value, target, ok]);
  process.stderr.write(`${ok ? 'ok  ' : 'MISS'} ${figure}: ${value} (${target})\n`);
};
const ms = (v: number) => `${v.toFixed(0)} ms`;
const mib = (v: number) => `${v.toFixed(0)} MiB`;

const killed = await killRounds(dir('kill'), size.rounds, 16);
row(
  'kill -9 rounds',
  `${killed.rounds} rounds, ${killed.acknowledged} acknowledged changes`,
  '>= 20',
  killed.rounds >= 20 || quick,
);
row('acknowledged changes lost', String(killed.lost), '0', killed.lost === 0);
row('ids reassigned', String(killed.reassigned), '0', killed.reassigned === 0);
for (const p of killed.problems.slice(0, 5)) process.stderr.write(`  ${p}\n`);
// The same with a compaction every 200 journal lines: kills land before, during and after compactions.
const compacting = await killRounds(dir('kill-compact'), size.rounds, 16, ['--compact-after', '200']);
row(
  'kill -9 rounds, compacting every 200 lines',
  `${compacting.rounds} rounds, ${compacting.acknowledged} acknowledged changes, ${compacting.compactions} compactions; ${compacting.lost} lost, ${compacting.reassigned} ids reassigned`,
  '0 lost, 0 reassigned',
  compacting.lost === 0 && compacting.reassigned === 0 && compacting.compactions > 0,
);
for (const p of compacting.problems.slice(0, 5)) process.stderr.write(`  ${p}\n`);

for (const c of await journalDamage(dir))
  row(
    `journal: ${c.damage}`,
    `${c.outcome}; ${c.kept} of ${c.expected} kept, ids ${c.idsIntact ? 'intact' : 'CHANGED'}`,
    'cut a torn tail, refuse damage until --repair',
    c.ok,
  );

{
  const server = await startServer(dir('fuzz'));
  const probe = await startProbe(server);
  const f = await fuzz(server.url, size.fuzz, 42);
  const slowest = await probe.stop();
  await server.stop();
  const statuses = Object.entries(f.byStatus)
    .map(([s, n]) => `${s}:${n}`)
    .join(' ');
  row('fuzzed requests', `${f.requests} (${statuses})`, '>= 10,000', f.requests >= 10_000 || quick);
  row(
    'fuzz: 5xx',
    `${f.fiveHundreds} (and ${f.notServingYet} documented 503s: completions before Running)`,
    '0',
    f.fiveHundreds === 0,
  );
  row('fuzz: hangs (no answer in 10 s)', String(f.hangs), '0', f.hangs === 0);
  row('fuzz: state against the 2xx answers', `${f.stateMismatches} mismatches`, '0', f.stateMismatches === 0);
  row('fuzz: slowest answer / slowest probe', `${ms(f.slowestMs)} / ${ms(slowest)}`, 'probe < 100 ms', slowest < 100);
  for (const e of [...f.examples, ...f.slowest]) process.stderr.write(`  ${e}\n`);
}

{
  const server = await startServer(dir('limits'));
  const l = await limits(server);
  await server.stop();
  row(
    'a million pods',
    `${l.millionPods.status} in ${ms(l.millionPods.ms)}: ${l.millionPods.message}`,
    '400 naming the limit',
    l.millionPods.status === 400,
  );
  row(
    '4,096-pod workloads',
    `${l.largestCreates.accepted} accepted, then ${l.largestCreates.refusedByClusterLimit} refused: ${l.largestCreates.message}`,
    'the cluster limit refuses',
    l.largestCreates.refusedByClusterLimit > 0,
  );
  row('a page of pods of a 4,096-pod workload', ms(l.podsPageMs), '< 100 ms', l.podsPageMs < 100);
  row('slowest probe during the limits', ms(l.slowestProbeMs), '< 100 ms', l.slowestProbeMs < 100);
}

{
  const c = await churn(dir('churn'), size.churn);
  row(
    'create/delete pairs',
    `${c.pairs} in ${c.seconds.toFixed(1)} s, ${c.failures} failed`,
    '>= 100,000',
    (c.pairs >= 100_000 || quick) && c.failures === 0,
  );
  row(
    'RSS before / after the churn',
    `${mib(c.rssStartMiB)} / ${mib(c.rssEndMiB)} (${(c.rssEndMiB / c.rssStartMiB).toFixed(2)}x)`,
    '<= 1.5x',
    c.rssEndMiB <= 1.5 * c.rssStartMiB,
  );
  row(
    'restart after the churn',
    `${c.restartSeconds.toFixed(2)} s (fresh start ${c.freshStartSeconds.toFixed(2)} s)`,
    '< 2 s',
    c.restartSeconds < 2,
  );
}

{
  const s = await slowSubscribers(dir('subscribers'), 100, size.subscriberPairs);
  row(
    '100 subscribers that never read',
    `RSS ${mib(s.rssBeforeMiB)} -> ${mib(s.rssWithThemMiB)} -> ${mib(s.rssAfterMiB)} after they left`,
    'bounded (256 KiB each)',
    s.rssWithThemMiB - s.rssBeforeMiB < 100 * 0.25 + 64,
  );
  row('slowest probe with them', ms(s.slowestProbeMs), '< 100 ms', s.slowestProbeMs < 100);
}

const width = (i: number) => Math.max(...rows.map((r) => String(r[i]).length), 6);
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width(i))).join(' | ')} |`;
process.stdout.write(
  [
    line(['figure', 'value', 'target', 'met']),
    line(
      rows[0]!
        .slice(0, 3)
        .map((_, i) => '-'.repeat(width(i)))
        .concat('---'),
    ),
    ...rows.map(([f, v, t, ok]) => line([f, v, t, ok ? 'yes' : 'NO'])),
  ].join('\n') + '\n',
);
process.exitCode = rows.every((r) => r[3]) ? 0 : 1;
