import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDeployment, LATENCY_MODELS } from '../../sim/perf/index.ts';
import {
  azureTimestamp,
  PrefixCache,
  simulateServing,
  TraceRequests,
  type RequestSpec,
} from '../../sim/serving/index.ts';
import { fileLines } from '../../src/serving/trace-file.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('trace readers', () => {
  it('read Azure CSV rows as seconds from the first request, scaled and windowed', () => {
    const lines = [
      'TIMESTAMP,ContextTokens,GeneratedTokens',
      '2023-11-16 18:17:03.9799600,4808,10',
      '2023-11-16 18:17:04.0319600,3180,8',
      '2023-11-16 18:17:05.9799600,10,0',
      '2023-11-16 18:17:13.9799600,100,20',
    ];
    const all = [...new TraceRequests(lines, 'azure')];
    expect(all.map((r) => r.inputTokens)).toEqual([4808, 3180, 100]);
    expect(all[1]!.arrival).toBeCloseTo(0.052, 6); // µs: epoch seconds keep ~0.2 µs of a fraction
    expect(all[2]!.arrival).toBeCloseTo(10, 6);
    const trace = new TraceRequests(lines, 'azure', { speedup: 2, start: 0.01 });
    expect([...trace].map((r) => r.arrival)).toEqual([expect.closeTo(0.021, 6), expect.closeTo(4.995, 6)]);
    expect(trace.skipped).toBe(1); // the row with no output tokens
    expect(azureTimestamp('2023-11-16T18:17:03')).toBe(Date.UTC(2023, 10, 16, 18, 17, 3) / 1000);
  });

  it('read Mooncake JSONL with its prefix hashes (512-token blocks) and BurstGPT CSV', () => {
    const mooncake = [
      ...new TraceRequests(
        ['{"timestamp": 1500, "input_length": 1200, "output_length": 5, "hash_ids": [0, 1, 2]}'],
        'mooncake',
      ),
    ];
    expect(mooncake).toEqual([
      { arrival: 0, inputTokens: 1200, outputTokens: 5, prefixBlocks: [0, 1, 2], prefixBlockTokens: 512 },
    ]);
    const burst = [
      ...new TraceRequests(
        [
          'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type',
          '5,ChatGPT,472,18,490,Conversation log',
          '7,GPT-4,1087,0,1087,API log',
        ],
        'burstgpt',
      ),
    ];
    expect(burst).toEqual([{ arrival: 0, inputTokens: 472, outputTokens: 18 }]);
  });

  it.each([
    ['azure', ['h', '2023-11-16 18:17:03,12'], 2, /expected TIMESTAMP,ContextTokens,GeneratedTokens/],
    ['azure', ['h', '2023-11-16 18:17:03,1,-4'], 2, /non-negative integers/],
    ['azure', ['h', '2023-11-16 18:17:09,1,4', '2023-11-16 18:17:03,1,4'], 3, /must not go backwards/],
    ['mooncake', ['{"timestamp": 0, "input_length": 5, "output_length": 1}', '{oops'], 2, /not a JSON object/],
    ['mooncake', ['{"timestamp": 0, "input_length": 5, "output_length": 1, "hash_ids": ["a"]}'], 1, /hash_ids/],
    ['burstgpt', ['h', 'soon,ChatGPT,1,2,3,x'], 2, /expected Timestamp/],
  ] as const)('stop at a bad %s line with its number', (format, lines, line, message) => {
    const trace = new TraceRequests(lines, format);
    void [...trace];
    expect(trace.problem?.line).toBe(line);
    expect(trace.problem?.message).toMatch(message);
  });

  it('stream a file in chunks, a last line without a newline included', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lwsim-trace-')), 't.csv');
    const rows = Array.from({ length: 50_000 }, (_, i) => `2023-11-16 18:17:${String(i % 60).padStart(2, '0')}.0,1,1`);
    writeFileSync(file, `TIMESTAMP,ContextTokens,GeneratedTokens\n${rows.join('\n')}`);
    let count = 0;
    for (const line of fileLines(file)) if (line !== '') count++;
    expect(count).toBe(50_001);
  });
});

describe('prefix caching', () => {
  it('keeps blocks least recently used first', () => {
    const cache = new PrefixCache(3);
    cache.insert([1, 2, 3]);
    expect(cache.match([1, 2, 9])).toBe(2);
    cache.insert([4]); // evicts 3, the least recently used
    expect(cache.match([3])).toBe(0);
    expect(cache.match([1, 2, 4])).toBe(3);
  });

  it('skips the prefill of a shared prefix, and never the last prompt token', () => {
    const checked = checkDeployment({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB' });
    if (!checked.ok) throw new Error(checked.message);
    const pricer = LATENCY_MODELS.calibrated.create(checked.deployment);
    const shared = (arrival: number): RequestSpec => ({
      arrival,
      inputTokens: 2048,
      outputTokens: 8,
      prefixBlocks: [7, 8, 9, 10],
      prefixBlockTokens: 512,
    });
    const run = (prefixCaching: boolean) =>
      simulateServing({
        pricer,
        replicas: 1,
        router: 'round-robin',
        prefixCaching,
        requests: [shared(0), shared(5), shared(10)],
        metrics: ['ttft'],
      });
    const on = run(true);
    const off = run(false);
    expect(on.lwsim.prefixHitRate).toBeCloseTo((2 * 2047) / (3 * 2048), 9);
    expect(off.lwsim.prefixHitRate).toBe(0);
    expect(on.mean_ttft_ms).toBeLessThan(off.mean_ttft_ms!);
  });
});

describe('lwsim bench serve --trace', () => {
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [join(ROOT, 'bin/lwsim.js'), 'bench', 'serve', '--model', 'llama-3.1-8b', '--gpu', 'H100-SXM-80GB', ...args],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );

  it('replays the Azure hour and names the file and line of a bad row', () => {
    const ok = run(
      '--trace',
      join(ROOT, 'data/traces/AzureLLMInferenceTrace_code.csv'),
      '--trace-format',
      'azure',
      '--trace-end',
      '600',
      '--json',
    );
    expect(ok.status).toBe(0);
    expect((JSON.parse(ok.stdout) as { completed: number }).completed).toBeGreaterThan(1000);
    const file = join(mkdtempSync(join(tmpdir(), 'lwsim-trace-')), 'bad.csv');
    writeFileSync(file, 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9,10,2\nnot a row\n');
    const bad = run('--trace', file, '--trace-format', 'azure');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${file}:3: expected TIMESTAMP,ContextTokens,GeneratedTokens`);
    expect(run('--trace', file, '--trace-format', 'csv').stderr).toMatch(
      /--trace-format must be one of azure, mooncake, burstgpt/,
    );
    expect(run('--trace', join(file, 'nope'), '--trace-format', 'azure').stderr).toMatch(/--trace: no such file/);
    expect(run('--trace', file, '--trace-format', 'azure', '--trace-speedup', '0').stderr).toMatch(
      /--trace-speedup must be a positive number/,
    );
  });
});

describe('prefix-affinity routing', () => {
  it('sends a conversation’s turns to the replica that caches them, within a load bound', () => {
    const checked = checkDeployment({ model: 'llama-3.1-8b', gpu: 'H100-SXM-80GB' });
    if (!checked.ok) throw new Error(checked.message);
    const pricer = LATENCY_MODELS.calibrated.create(checked.deployment);
    // 41 conversations (not a multiple of 4, or round-robin would be sticky too) of 5 turns; every prompt starts with the shared system block 0, then the conversation's.
    const requests: RequestSpec[] = [];
    for (let turn = 0; turn < 5; turn++)
      for (let c = 0; c < 41; c++) {
        const blocks = [0, 1000 + c, ...Array.from({ length: turn }, (_, t) => 100_000 + c * 10 + t)];
        requests.push({
          arrival: turn * 20 + c * 0.1,
          inputTokens: blocks.length * 512,
          outputTokens: 16,
          prefixBlocks: blocks,
          prefixBlockTokens: 512,
        });
      }
    const rate = (router: 'round-robin' | 'prefix-affinity') =>
      simulateServing({ pricer, replicas: 4, router, requests, metrics: ['ttft'] }).lwsim.prefixHitRate;
    expect(rate('prefix-affinity')).toBeGreaterThan(rate('round-robin') * 1.5);
  });
});
