import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDecode, parsePrefill } from '../../src/cli/commands/perf.ts';

const ROOT = join(import.meta.dirname, '../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/lwsim.js'), 'perf', ...args], { encoding: 'utf8', timeout: 30_000 });
const seventy = ['--model', 'llama-3.1-70b', '--gpu', 'H100-SXM-80GB', '--tp', '4', '--dtype', 'fp8'];

describe('lwsim perf', () => {
  it('step prints the iteration time and its breakdown by term; --json sums to the total', () => {
    const text = run('step', ...seventy, '--prefill', '512,2048', '--decode', '64x1500');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^Llama-3\.1-70B FP8 \(KV FP8\) on 4 × H100-SXM-80GB \(TP 4 × PP 1\), vLLM/);
    expect(text.stdout).toMatch(/iteration \d+\.\d{3} ms/);
    for (const term of ['gemm', 'attention', 'pointwise', 'allReduce', 'embedding', 'pipeline', 'engine'])
      expect(text.stdout).toContain(`  ${term}`);
    const json = run('step', ...seventy, '--prefill', '512,2048', '--decode', '64x1500', '--json');
    const price = JSON.parse(json.stdout) as {
      seconds: number;
      terms: Record<string, number>;
      batch: { tokens: number };
    };
    expect(price.batch.tokens).toBe(2624);
    expect(Object.values(price.terms).reduce((a, b) => a + b, 0)).toBeCloseTo(price.seconds, 12);
    const roofline = run('step', ...seventy, '--decode', '64x1500', '--latency-model', 'roofline', '--json');
    expect((JSON.parse(roofline.stdout) as { seconds: number }).seconds).toBeLessThan(price.seconds);
  });

  it('fit prints the memory plan, or why it does not fit (exit 1)', () => {
    const ok = run('fit', ...seventy);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/KV cache +[\d,]+ tokens \([\d,]+ blocks of 16\)/);
    const refused = run('fit', '--model', 'llama-3.1-70b', '--gpu', 'H100-SXM-80GB');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain(
      'does not fit: Llama-3.1-70B BF16 needs 131.4 GiB of weights per GPU; TP 1 on H100-SXM-80GB has 72.0 GiB usable',
    );
  });

  it('models and gpus list the presets with their sources', () => {
    const models = JSON.parse(run('models', '--json').stdout) as { models: { id: string; source: string }[] };
    expect(models.models.map((m) => m.id)).toContain('mixtral-8x7b');
    expect(models.models).toHaveLength(10);
    const gpus = run('gpus');
    expect(gpus.stdout).toMatch(/B200-SXM-180GB +180 +2250 +4500 +9000 +7\.7/);
  });

  it('reads GPU types, GPUs per node and the scale-out network from a cluster file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-perf-'));
    const file = join(dir, 'c.yaml');
    const cluster = (gbps: number) =>
      `name: c\nnodePools:\n  - name: p\n    nodes:\n      - count: 4\n        gpu: { model: H100-SXM-80GB, count: 4 }\n        cpu: 64\n        memory: 512Gi\n        network: { bandwidthGbps: ${gbps} }\n`;
    const price = (gbps: number): number => {
      writeFileSync(file, cluster(gbps));
      const r = run(
        'step',
        '--model',
        'llama-3.1-70b',
        '--gpu',
        'H100-SXM-80GB',
        '--tp',
        '8',
        '--cluster',
        file,
        '--decode',
        '64x100',
        '--json',
      );
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as { terms: { allReduce: number } }).terms.allReduce;
    };
    // TP 8 on 4-GPU nodes crosses the network: a slower NIC costs more.
    expect(price(100)).toBeGreaterThan(price(400));
    writeFileSync(file, 'name: c\nnodePools: []\n');
    const bad = run('step', '--model', 'llama-3.1-8b', '--gpu', 'H100-SXM-80GB', '--cluster', file, '--decode', '1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/c\.yaml:2:\d+: nodePools/);
  });

  it.each([
    [['step', '--model', 'llama-3.1-8b', '--gpu', 'H100-SXM-80GB'], /give a batch/],
    [
      ['step', '--model', 'llama-3.1-8b', '--gpu', 'H100-SXM-80GB', '--tp', 'two', '--decode', '1'],
      /--tp must be a positive integer, got "two"/,
    ],
    [
      ['step', '--model', 'llama-3.1-8b', '--gpu', 'H100-SXM-80GB', '--tp', '3', '--decode', '1'],
      /--tp: Llama-3\.1-8B has 32 attention heads/,
    ],
    [['step', '--gpu', 'H100-SXM-80GB', '--decode', '1'], /--model is required/],
    [
      ['step', '--model', 'llama-3.1-8b', '--gpu', 'H100-SXM-80GB', '--decode', '1', '--latency-model', 'magic'],
      /--latency-model: unknown "magic"/,
    ],
    [
      ['fit', '--model', 'llama-3.1-8b', '--gpu', 'H100-SXM-80GB', '--gpu-memory-utilization', '2'],
      /--gpu-memory-utilization: memoryFraction must be in \(0, 1\]/,
    ],
    [['fit', '--model', 'llama-3.1-8b', '--gpu', 'H100-SXM-80GB', '--bogus'], /Unknown option '--bogus'/],
    [['launch'], /unknown subcommand "launch"/],
  ])('refuses %j with a message naming the flag (exit 2)', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('batch flags', () => {
  it('parse chunks with cached context and repeated decodes', () => {
    expect(parsePrefill('512,2048:4096')).toEqual({
      ok: true,
      value: [
        { tokens: 512, cached: 0 },
        { tokens: 2048, cached: 4096 },
      ],
    });
    expect(parseDecode('2x100,7')).toEqual({ ok: true, value: [100, 100, 7] });
    for (const bad of ['0', '-3', '1.5', '1:2:3', 'abc']) expect(parsePrefill(bad).ok).toBe(false);
    for (const bad of ['x', '0x5', '3x', '1x2x3', '-1']) expect(parseDecode(bad).ok).toBe(false);
  });
});
