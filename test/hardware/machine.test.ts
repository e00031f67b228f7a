import { describe, expect, it } from 'vitest';
import * as os from 'node:os';
import { describeLocalMachine, mapGpuName, type MachineSources } from '../../src/hardware/index.ts';

describe('describeLocalMachine', () => {
  it('describes this machine', async () => {
    const m = await describeLocalMachine();
    expect(m.cpu.cores).toBeGreaterThanOrEqual(1);
    expect(m.cpu.physicalCores).toBeGreaterThanOrEqual(1);
    expect(m.memoryBytes).toBeGreaterThan(0);
    expect(m.os.platform).not.toBe('');
    expect(m.hostname).not.toBe('');
    // This machine has no GPU and no nvidia-smi.
    expect(m.gpus).toEqual([]);
    expect(m.warnings).toContain('nvidia-smi not found');
  });

  it('falls back to node:os when systeminformation returns empty or zero fields', async () => {
    const sources: MachineSources = {
      cpu: async () => ({ manufacturer: '', brand: '', cores: 0, physicalCores: 0, speed: 0 }),
      mem: async () => ({ total: 0 }),
      osInfo: async () => ({ platform: '', distro: '', release: '', arch: '', kernel: '', hostname: '' }),
      gpus: async () => ({ gpus: [{ index: 0, name: 'NVIDIA L40S', memoryMiB: 46068, uuid: 'GPU-1' }] }),
    };
    const m = await describeLocalMachine(sources);
    expect(m.hostname).toBe(os.hostname());
    expect(m.cpu.cores).toBe(os.availableParallelism());
    expect(m.cpu.physicalCores).toBe(m.cpu.cores);
    expect(m.cpu.manufacturer).toBe('unknown');
    expect(m.memoryBytes).toBe(os.totalmem());
    expect(m.os).toEqual({
      platform: os.platform(),
      distro: os.type(),
      release: os.release(),
      arch: os.arch(),
      kernel: os.release(),
    });
    expect(m.gpus).toHaveLength(1);
    expect(m.warnings).toEqual([]);
  });

  it('records failing probes as warnings instead of throwing', async () => {
    const boom = async (): Promise<never> => {
      throw new Error('boom');
    };
    const m = await describeLocalMachine({
      cpu: boom,
      mem: boom,
      osInfo: boom,
      gpus: async () => ({ gpus: [], warning: 'nvidia-smi not found' }),
    });
    expect(m.memoryBytes).toBe(os.totalmem());
    expect(m.warnings).toEqual([
      'systeminformation cpu() failed: boom',
      'systeminformation mem() failed: boom',
      'systeminformation osInfo() failed: boom',
      'nvidia-smi not found',
    ]);
  });
});

describe('mapGpuName', () => {
  it.each([
    ['NVIDIA H100 80GB HBM3', 'H100-SXM-80GB'],
    ['NVIDIA H100 SXM5 80GB', 'H100-SXM-80GB'],
    ['NVIDIA A100-SXM4-80GB', 'A100-SXM-80GB'],
    ['NVIDIA A100-SXM-80GB', 'A100-SXM-80GB'],
    ['NVIDIA H200', 'H200-SXM-141GB'],
    ['NVIDIA H200 141GB HBM3e', 'H200-SXM-141GB'],
    ['NVIDIA L40S', 'L40S-48GB'],
    ['  nvidia l40s ', 'L40S-48GB'],
  ])('%s -> %s', (name, model) => {
    expect(mapGpuName(name)).toBe(model);
  });

  it.each([
    'NVIDIA A100-SXM4-40GB',
    'NVIDIA A100 80GB PCIe',
    'NVIDIA H100 PCIe',
    'NVIDIA H100 NVL',
    'NVIDIA H200 NVL',
    'NVIDIA GH200 480GB',
    'NVIDIA L40',
    'Tesla T4',
    'NVIDIA GeForce RTX 4090',
    '',
  ])('%s -> undefined', (name) => {
    expect(mapGpuName(name)).toBeUndefined();
  });
});
