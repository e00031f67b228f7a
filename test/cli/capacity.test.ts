import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/lwsim.js'), 'capacity', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
const BASE: Record<string, string> = {
  '--model': 'llama-3.1-8b',
  '--request-rate': '20',
  '--random-input-len': '1024',
  '--random-output-len': '128',
  '--num-prompts': '300',
  '--gpus': 'A100-SXM-80GB,H100-SXM-80GB',
  '--tp': '1,2',
};
/** The base flags with some replaced or (null) removed. */
const flags = (changes: Record<string, string | null> = {}): string[] =>
  Object.entries({ ...BASE, ...changes }).flatMap(([k, v]) => (v === null ? [] : [k, v]));
const base = flags();

describe('lwsim capacity', () => {
  it('answers with the cheapest deployment, its margins, the Pareto frontier and every candidate (--json)', () => {
    const r = run(
      ...base,
      '--slo',
      'ttft:p90<=500ms',
      '--slo',
      'tpot:p99<=50ms',
      '--price',
      'H100-SXM-80GB=2',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const answer = JSON.parse(r.stdout);
    expect(answer.candidates).toHaveLength(4);
    expect(answer.best).toMatchObject({ status: 'met', shape: { gpu: 'H100-SXM-80GB', tp: 1 } });
    expect(answer.best.costPerHour).toBe(answer.best.gpus * 2);
    expect(answer.best.check.bounds.map((b: { bound: string }) => b.bound)).toEqual([
      'ttft:p90<=500ms',
      'tpot:p99<=50ms',
    ]);
    expect(answer.pareto[0]).toEqual(answer.best);
    expect(answer.creation).toMatchObject({
      name: 'llama-3-1-8b-serving',
      spec: { replicas: answer.best.replicas, leader: { args: expect.stringMatching(/^meta-llama\/Llama-3\.1-8B/) } },
    });
    const text = run(...base, '--slo', 'ttft:p90<=500ms');
    expect(text.stdout).toMatch(/^best: \d+ × /m);
  });

  it('runs as shards in separate processes (an Indexed Job) that merge into exactly the single-run answer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-shards-'));
    const question = [...base, '--slo', 'ttft:p90<=500ms', '--slo', 'tpot:p99<=50ms', '--threads', '1'];
    const single = run(...question, '--json');
    expect(single.status, single.stderr).toBe(0);
    const zero = run(...question, '--shard', '0/2', '--out', dir);
    expect(zero.status, zero.stderr).toBe(0);
    const early = run('merge', dir, ...question, '--json');
    expect(early.status).toBe(2);
    expect(early.stderr).toMatch(/shards 1 of 2 are missing/);
    // The second shard takes its index from the Job's environment, as a Kubernetes Indexed Job gives it.
    const one = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/lwsim.js'), 'capacity', ...question, '--shard', '/2', '--out', dir],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, JOB_COMPLETION_INDEX: '1' } },
    );
    expect(one.status, one.stderr).toBe(0);
    const merged = run('merge', dir, ...question, '--json');
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(single.stdout);
    const other = run('merge', dir, ...question.map((a) => (a === '20' ? '25' : a)), '--json');
    expect(other.stderr).toMatch(/answered another question/);
  });

  it.each([
    [{ '--model': null, '--slo': 'ttft:p90<=500ms' }, /--model is required/],
    [{}, /--slo is required/],
    [{ '--slo': 'ttft<500' }, /--slo: "ttft<500" is not METRIC:pP<=BOUND/],
    [{ '--slo': 'ttft:p90<=500ms', '--gpus': 'B200-SXM-180GB' }, /no default price for B200-SXM-180GB/],
    [{ '--slo': 'ttft:p90<=500ms', '--price': 'H100=3' }, /--price: "H100=3" is not GPU=USD/],
    [{ '--slo': 'ttft:p90<=500ms', '--tp': '1,x' }, /--tp must be positive integers/],
    [{ '--slo': 'ttft:p90<=500ms', '--router': 'random' }, /--router: unknown "random"/],
    [{ '--slo': 'ttft:p90<=500ms', '--goodput': '2' }, /--goodput must be a fraction/],
    [{ '--slo': 'ttft:p90<=500ms', '--name': 'Llama' }, /--name must be a DNS-1123 label/],
    [{ '--slo': 'ttft:p90<=500ms', '--shard': '2/2', '--out': '/tmp' }, /--shard must be I\/N with 0 <= I < N/],
    [{ '--slo': 'ttft:p90<=500ms', '--shard': '0/2' }, /--shard needs --out DIR/],
    [{ '--slo': 'ttft:p90<=500ms', '--request-rate': null }, /--request-rate \(a positive number\) or --trace/],
  ])('refuses %j with a message naming the flag (exit 2)', (changes, message) => {
    const r = run(...flags(changes));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
