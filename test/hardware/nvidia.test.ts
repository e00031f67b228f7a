import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseNvidiaSmiCsv, queryNvidiaGpus } from '../../src/hardware/nvidia.ts';

const EIGHT_H100 = Array.from(
  { length: 8 },
  (_, i) => `${i}, NVIDIA H100 80GB HBM3, 81559, GPU-${i}a2b3c4d-0000-1111-2222-33334444555${i}`,
).join('\n');

describe('parseNvidiaSmiCsv', () => {
  it('parses real-looking multi-GPU output', () => {
    const gpus = parseNvidiaSmiCsv(`${EIGHT_H100}\n`);
    expect(gpus).toHaveLength(8);
    expect(gpus[0]).toEqual({
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      memoryMiB: 81559,
      uuid: 'GPU-0a2b3c4d-0000-1111-2222-333344445550',
    });
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('tolerates blank lines, CRLF and extra whitespace', () => {
    const text = '\n  0 ,  NVIDIA A100-SXM4-80GB ,81920,  GPU-aaa  \r\n\n\t1, NVIDIA L40S, 46068, GPU-bbb\r\n   \n';
    expect(parseNvidiaSmiCsv(text)).toEqual([
      { index: 0, name: 'NVIDIA A100-SXM4-80GB', memoryMiB: 81920, uuid: 'GPU-aaa' },
      { index: 1, name: 'NVIDIA L40S', memoryMiB: 46068, uuid: 'GPU-bbb' },
    ]);
  });

  it('skips malformed lines with warnings and keeps the good ones', () => {
    const warnings: string[] = [];
    const text = [
      '0, NVIDIA H200, 143771, GPU-good0',
      'garbage',
      'x, NVIDIA H200, 143771, GPU-badindex',
      '2, NVIDIA H200, [N/A], GPU-badmem',
      '3, , 143771, GPU-noname',
      '4, NVIDIA H200, 143771, ',
      '5, NVIDIA H200, 143771, GPU-good5',
    ].join('\n');
    const gpus = parseNvidiaSmiCsv(text, warnings);
    expect(gpus.map((g) => g.uuid)).toEqual(['GPU-good0', 'GPU-good5']);
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toMatch(/line 2: expected 4 fields/);
    expect(warnings[1]).toMatch(/bad index "x"/);
    expect(warnings[2]).toMatch(/bad memory.total "\[N\/A\]"/);
    expect(warnings[3]).toMatch(/empty name/);
    expect(warnings[4]).toMatch(/empty uuid/);
  });

  it('keeps a name that contains a comma', () => {
    expect(parseNvidiaSmiCsv('0, Odd, Name, 1024, GPU-x')[0]?.name).toBe('Odd, Name');
  });

  it('returns [] for empty output without warnings', () => {
    const warnings: string[] = [];
    expect(parseNvidiaSmiCsv('', warnings)).toEqual([]);
    expect(parseNvidiaSmiCsv('\n  \n', warnings)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('does not throw without a warnings array', () => {
    expect(parseNvidiaSmiCsv('garbage\n0, G, 1, U')).toHaveLength(1);
  });
});

describe('queryNvidiaGpus', () => {
  it('returns [] with a warning on this machine (no nvidia-smi) and does not throw', async () => {
    const result = await queryNvidiaGpus();
    expect(result.gpus).toEqual([]);
    expect(result.warning).toBe('nvidia-smi not found');
  });

  describe('with a fake nvidia-smi first on PATH', () => {
    let dir = '';
    let savedPath: string | undefined;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'lwsim-fake-nvidia-smi-'));
      savedPath = process.env.PATH;
      process.env.PATH = `${dir}${delimiter}${savedPath ?? ''}`;
    });
    afterEach(() => {
      if (savedPath === undefined) delete process.env.PATH;
      else process.env.PATH = savedPath;
      rmSync(dir, { recursive: true, force: true });
    });

    const fake = (body: string): void => {
      const file = join(dir, 'nvidia-smi');
      writeFileSync(file, `#!/bin/sh\n${body}\n`);
      chmodSync(file, 0o755);
    };

    it('parses its output end to end and receives the expected arguments', async () => {
      fake(
        [
          'if [ "$1" != "--query-gpu=index,name,memory.total,uuid" ] || [ "$2" != "--format=csv,noheader,nounits" ]; then',
          '  echo "unexpected args: $*" >&2; exit 2',
          'fi',
          "cat <<'OUT'",
          EIGHT_H100,
          'OUT',
        ].join('\n'),
      );
      const result = await queryNvidiaGpus();
      expect(result.warning).toBeUndefined();
      expect(result.gpus).toHaveLength(8);
      expect(result.gpus[7]).toMatchObject({ index: 7, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 });
    });

    it('reports a non-zero exit as a warning', async () => {
      fake('echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver."\nexit 9');
      const result = await queryNvidiaGpus();
      expect(result.gpus).toEqual([]);
      expect(result.warning).toMatch(/^nvidia-smi failed \(exit 9\): NVIDIA-SMI has failed/);
    });

    it('reports garbage output as warnings', async () => {
      fake('echo "this is not csv"\necho "0, NVIDIA L40S, lots, GPU-z"');
      const result = await queryNvidiaGpus();
      expect(result.gpus).toEqual([]);
      expect(result.warning).toMatch(/expected 4 fields.*; .*bad memory.total "lots"/);
    });

    it('warns when it prints nothing', async () => {
      fake('exit 0');
      expect(await queryNvidiaGpus()).toEqual({ gpus: [], warning: 'nvidia-smi reported no GPUs' });
    });

    it('times out instead of hanging', async () => {
      // exec so the timeout's SIGTERM reaches the sleeping process that holds stdout open.
      fake('exec sleep 10');
      const started = Date.now();
      const result = await queryNvidiaGpus({ timeoutMs: 200 });
      expect(result).toEqual({ gpus: [], warning: 'nvidia-smi timed out after 200 ms' });
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});
