// Description of the machine lwsim runs on, used to seed a node that mirrors real hardware.
import * as os from 'node:os';
import * as si from 'systeminformation';
import type { CatalogGpuName } from '../../sim/cluster/index.ts';
import { queryNvidiaGpus, type LocalGpu, type NvidiaQueryResult } from './nvidia.ts';

export interface LocalMachine {
  hostname: string;
  cpu: { manufacturer: string; brand: string; cores: number; physicalCores: number; speedGHz: number };
  memoryBytes: number;
  os: { platform: string; distro: string; release: string; arch: string; kernel: string };
  gpus: LocalGpu[];
  warnings: string[];
}

/** Data sources, injectable so the node:os fallbacks can be tested without a strange machine. */
export interface MachineSources {
  cpu: () => Promise<Partial<si.Systeminformation.CpuData>>;
  mem: () => Promise<Partial<si.Systeminformation.MemData>>;
  osInfo: () => Promise<Partial<si.Systeminformation.OsData>>;
  gpus: () => Promise<NvidiaQueryResult>;
}

const defaultSources: MachineSources = { cpu: si.cpu, mem: si.mem, osInfo: si.osInfo, gpus: () => queryNvidiaGpus() };

export async function describeLocalMachine(sources: MachineSources = defaultSources): Promise<LocalMachine> {
  const warnings: string[] = [];
  // A failing probe only loses its own fields; node:os fills the gaps below.
  const attempt = async <T>(what: string, probe: () => Promise<Partial<T>>): Promise<Partial<T>> => {
    try {
      return (await probe()) ?? {};
    } catch (e) {
      warnings.push(`systeminformation ${what}() failed: ${e instanceof Error ? e.message : String(e)}`);
      return {};
    }
  };
  const [cpu, mem, info, gpuResult] = await Promise.all([
    attempt('cpu', sources.cpu),
    attempt('mem', sources.mem),
    attempt('osInfo', sources.osInfo),
    sources.gpus().catch((e: unknown): NvidiaQueryResult => ({ gpus: [], warning: String(e) })),
  ]);
  if (gpuResult.warning) warnings.push(gpuResult.warning);

  const nodeCpus = os.cpus();
  // VMs often report 0 for physical cores and clock speed; keep the values usable.
  const cores = positive(cpu.cores) ?? os.availableParallelism();
  return {
    hostname: text(info.hostname) ?? os.hostname(),
    cpu: {
      manufacturer: text(cpu.manufacturer) ?? 'unknown',
      brand: text(cpu.brand) ?? text(nodeCpus[0]?.model) ?? 'unknown',
      cores,
      physicalCores: positive(cpu.physicalCores) ?? cores,
      speedGHz: positive(cpu.speed) ?? (positive(nodeCpus[0]?.speed) ?? 0) / 1000,
    },
    memoryBytes: positive(mem.total) ?? os.totalmem(),
    os: {
      platform: text(info.platform) ?? os.platform(),
      distro: text(info.distro) ?? os.type(),
      release: text(info.release) ?? os.release(),
      arch: text(info.arch) ?? os.arch(),
      kernel: text(info.kernel) ?? os.release(),
    },
    gpus: gpuResult.gpus,
    warnings,
  };
}

/** The catalog's GPUs, without the `cpu` device class (no nvidia-smi name maps to it). */
export type CatalogGpuModel = Exclude<CatalogGpuName, 'cpu'>;

/**
 * Maps an nvidia-smi product name to a simulator catalog model. Only the exact
 * variants in the catalog match: PCIe/NVL boards and 40GB A100s differ in memory
 * or interconnect, and GH200 is not an H200, so they map to undefined.
 */
export function mapGpuName(name: string): CatalogGpuModel | undefined {
  const n = name.toUpperCase();
  const pcieOrNvl = /\bPCIE\b|\bNVL\b/.test(n);
  if (/\bL40S\b/.test(n)) return 'L40S-48GB';
  if (pcieOrNvl) return undefined;
  if (/\bA100\b/.test(n) && /\b80GB\b/.test(n)) return 'A100-SXM-80GB';
  if (/\bH100\b/.test(n) && (/\b80GB\b/.test(n) || /\bSXM\d*\b/.test(n))) return 'H100-SXM-80GB';
  if (/\bH200\b/.test(n)) return 'H200-SXM-141GB';
  return undefined;
}

function text(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function positive(v: number | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}
