import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { manifestProblems } from '../export/manifest-check.ts';

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

  it('writes answer.json (what --json prints), report.md and report.html with the frontiers charted (--report)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-capacity-report-'));
    const question = [...base, '--slo', 'ttft:p90<=500ms', '--max-num-seqs', '64,256', '--threads', '1'];
    const r = run(...question, '--report', dir, '--manifest', join(dir, 'winner.yaml'), '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'answer.json'), 'utf8')).toBe(r.stdout);
    const answer = JSON.parse(r.stdout);
    // The winner as lwsim export writes it, in the report and where --manifest says.
    const manifest = readFileSync(join(dir, 'manifest.yaml'), 'utf8');
    expect(readFileSync(join(dir, 'winner.yaml'), 'utf8')).toBe(manifest);
    const [leaderWorkerSet, service] = parseAllDocuments(manifest).map((d) => d.toJS());
    expect(manifestProblems({ leaderWorkerSet, service })).toEqual([]);
    expect(leaderWorkerSet.spec).toMatchObject({
      replicas: answer.best.replicas,
      leaderWorkerTemplate: { size: answer.best.shape.pp },
    });
    const leader = leaderWorkerSet.spec.leaderWorkerTemplate.workerTemplate.spec.containers[0];
    expect(leader.command).toEqual(['vllm', 'serve']);
    expect(leader.resources.limits['nvidia.com/gpu']).toBe(String(answer.best.shape.tp));
    expect(service.spec.ports[0].port).toBe(8000);
    const markdown = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(markdown).toMatch(/^# Capacity: llama-3\.1-8b/);
    expect(markdown).toContain(`**${answer.best.replicas} × ${answer.best.shape.gpu} TP ${answer.best.shape.tp} `);
    expect(markdown).toContain(`What binds: \`${answer.best.check.binding}\``);
    // Every candidate has a row, the rejected ones with their reason.
    const rows = markdown.split('\n').filter((l) => /^\| `(A100|H100)/.test(l));
    expect(rows).toHaveLength(answer.candidates.length);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<figure id="chart-(cost-ttft|throughput)"/g)).toHaveLength(2);
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(answer.throughputPareto.length).toBeGreaterThan(0);
  });

  it('writes an Indexed Job that validates against batch/v1 and, run as local processes, merges to the single-run answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-k8s-job-'));
    const question = [...base, '--slo', 'ttft:p90<=500ms', '--slo', 'tpot:p99<=50ms'];
    const made = run('k8s-job', '--shards', '3', '--parallelism', '2', '--image', 'lwsim:dev', ...question);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stderr).toMatch(/kubectl logs job\/lwsim-capacity-merge/);
    const docs = parseAllDocuments(made.stdout).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual([
      'PersistentVolumeClaim lwsim-capacity-results',
      'Job lwsim-capacity',
      'Job lwsim-capacity-merge',
    ]);
    new PersistentVolumeClaim(docs[0]).validate();
    const [shards, merge] = [new Job(docs[1]), new Job(docs[2])];
    shards.validate();
    merge.validate();
    expect(shards.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 2 });
    expect(shards.spec!.template.spec!.volumes).toEqual([
      { name: 'results', persistentVolumeClaim: { claimName: 'lwsim-capacity-results' } },
    ]);
    // The pods, as local processes: the claim is a directory, lwsim the checkout, the index the Job's variable.
    const container = (job: Job) => job.spec!.template.spec!.containers[0]!;
    const local = (job: Job, env: Record<string, string> = {}) => {
      const { command, args } = container(job);
      expect(command).toEqual(['lwsim']);
      const child = spawn(
        process.execPath,
        [join(ROOT, 'bin/lwsim.js'), ...args!.map((a) => a.replace(/^\/lwsim\//, `${dir}/`))],
        { env: { ...process.env, ...env } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
        child.on('close', (code) => done({ code, stdout, stderr })),
      );
    };
    // The merge starts first and waits for the shards, as its Job does when both are applied at once.
    const merged = local(merge);
    for (const index of [0, 1, 2]) {
      const shard = await local(shards, { JOB_COMPLETION_INDEX: String(index) });
      expect(shard.code, shard.stderr).toBe(0);
    }
    const answer = await merged;
    expect(answer.code, answer.stderr).toBe(0);
    const single = run(...question, '--json');
    expect(answer.stdout).toBe(single.stdout);
    expect(readFileSync(join(dir, 'report/answer.json'), 'utf8')).toBe(single.stdout);
  });

  it.each([
    [['--image', 'x'], /--shards must be a positive integer/],
    [['--shards', '2'], /--image is required/],
    [['--shards', '2', '--image', 'x', '--job-name', 'Big'], /--job-name must be a DNS-1123 label/],
    [['--shards', '2', '--image', 'x', '--claim', 'c', '--storage-class', 's'], /--storage-class is for the claim/],
    [['--shards', '2', '--image', 'x', '--tp', '3'], /^lwsim capacity k8s-job: --slo is required/],
  ])('k8s-job refuses %j with a message naming the flag (exit 2)', (extra, message) => {
    const r = run('k8s-job', ...base, ...extra);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it.each([
    [{ '--model': null, '--slo': 'ttft:p90<=500ms' }, /--model is required/],
    [{}, /--slo is required/],
    [{ '--slo': 'ttft<500' }, /--slo: "ttft<500" is not METRIC:pP<=BOUND/],
    [{ '--slo': 'ttft:p90<=500ms', '--gpus': 'B200-SXM-180GB' }, /no default price for B200-SXM-180GB/],
    [{ '--slo': 'ttft:p90<=500ms', '--price': 'H100=3' }, /--price: unknown GPU "H100"/],
    [{ '--slo': 'ttft:p90<=500ms', '--price': 'H100-SXM-80GB=-1' }, /--price: "H100-SXM-80GB=-1" is not GPU=USD/],
    [{ '--slo': 'ttft:p90<=500ms', '--model': 'llama-9' }, /--model: unknown model "llama-9"/],
    [{ '--slo': 'ttft:p90<=500ms', '--dtype': 'int3' }, /--dtype: unknown dtype "int3"/],
    [{ '--slo': 'ttft:p90<=500ms', '--tp': '1,x' }, /--tp must be positive integers/],
    [{ '--slo': 'ttft:p90<=500ms', '--router': 'random' }, /--router: unknown router "random"/],
    [{ '--slo': 'ttft:p90<=500ms', '--max-num-batched-tokens': '0' }, /--max-num-batched-tokens must be positive/],
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
