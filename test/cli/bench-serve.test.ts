import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGoodput } from '../../src/cli/commands/bench.ts';

const ROOT = join(import.meta.dirname, '../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/lwsim.js'), 'bench', 'serve', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
const base = [
  '--model',
  'llama-3.1-8b',
  '--gpu',
  'H100-SXM-80GB',
  '--random-input-len',
  '512',
  '--random-output-len',
  '64',
  '--num-prompts',
  '200',
];

describe('lwsim bench serve', () => {
  it('prints vLLM’s summary and saves a result with vLLM’s key names', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lwsim-bench-')), 'result.json');
    const r = run(
      ...base,
      '--max-concurrency',
      '16',
      '--metric-percentiles',
      '50,90,99',
      '--goodput',
      'ttft:500 tpot:50',
      '--save-result',
      file,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Successful requests:                    200');
    expect(r.stdout).toMatch(/P90 TPOT \(ms\): +\d+\.\d\d/);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const key of [
      'duration',
      'completed',
      'request_throughput',
      'request_goodput',
      'output_throughput',
      'total_token_throughput',
      'mean_ttft_ms',
      'median_ttft_ms',
      'std_ttft_ms',
      'p99_ttft_ms',
      'p50_tpot_ms',
      'p90_itl_ms',
      'max_concurrency',
    ])
      expect(saved, key).toHaveProperty(key);
    expect(saved.completed).toBe(200);
    expect(saved).toHaveProperty('lwsim.preemptions');
  });

  it('is deterministic for a seed and answers to the load', () => {
    const json = (...extra: string[]) => JSON.parse(run(...base, '--json', ...extra).stdout) as Record<string, number>;
    const a = json('--request-rate', '20', '--burstiness', '0.5', '--seed', '3', '--random-range-ratio', '0.5');
    const b = json('--request-rate', '20', '--burstiness', '0.5', '--seed', '3', '--random-range-ratio', '0.5');
    expect(a).toEqual(b);
    const two = json('--request-rate', '200', '--replicas', '2', '--router', 'least-outstanding');
    const one = json('--request-rate', '200');
    expect(two.mean_ttft_ms).toBeLessThan(one.mean_ttft_ms!);
    const ramp = json('--ramp-up-strategy', 'linear', '--ramp-up-start-rps', '1', '--ramp-up-end-rps', '50');
    expect(ramp).toMatchObject({ ramp_up_strategy: 'linear', ramp_up_start_rps: 1, ramp_up_end_rps: 50 });
  });

  it.each([
    [['--model', 'llama-3.1-70b', '--gpu', 'H100-SXM-80GB'], /needs 131\.4 GiB of weights per GPU/],
    [[...base, '--request-rate', 'fast'], /--request-rate must be a positive number or inf, got "fast"/],
    [[...base, '--router', 'random'], /--router: unknown "random"/],
    [[...base, '--max-num-seqs', '0'], /--max-num-seqs must be an integer >= 1/],
    [[...base, '--gpu-memory-utilization', '1.2'], /--gpu-memory-utilization must be a number in \(0, 1\]/],
    [[...base, '--goodput', 'ttft=5'], /--goodput: "ttft=5" is not ttft:MS/],
    [[...base, '--percentile-metrics', 'ttft,latency'], /--percentile-metrics: unknown "latency"/],
    [[...base, '--dataset-name', 'sharegpt'], /--dataset-name: only "random"/],
    [[...base, '--ramp-up-strategy', 'sine'], /--ramp-up-strategy must be linear or exponential, got "sine"/],
    [
      [
        ...base,
        '--ramp-up-strategy',
        'linear',
        '--ramp-up-start-rps',
        '1',
        '--ramp-up-end-rps',
        '9',
        '--request-rate',
        '5',
      ],
      /--request-rate cannot be given with --ramp-up-strategy/,
    ],
    [
      [...base, '--ramp-up-strategy', 'linear', '--ramp-up-start-rps', '1'],
      /--ramp-up-end-rps must be a positive number/,
    ],
  ])('refuses %j with a message naming the flag (exit 2)', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('parses goodput pairs as vLLM writes them', () => {
    expect(parseGoodput('ttft:2000 tpot:100')).toEqual({ ok: true, value: { ttft: 2000, tpot: 100 } });
    expect(parseGoodput('e2el:0').ok).toBe(false);
  });
});
