// Local NVIDIA GPU discovery. systeminformation's graphics() relies on lspci
// and misses NVIDIA GPUs on many hosts, so nvidia-smi is queried directly.
import { execFile } from 'node:child_process';

export interface LocalGpu {
  index: number;
  name: string;
  memoryMiB: number;
  uuid: string;
}

export interface NvidiaQueryResult {
  gpus: LocalGpu[];
  warning?: string;
}

export const NVIDIA_SMI_ARGS: readonly string[] = [
  '--query-gpu=index,name,memory.total,uuid',
  '--format=csv,noheader,nounits',
];

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Parses `nvidia-smi --query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits`.
 * Malformed lines are skipped and described in `warnings` (if given) instead of
 * throwing, so one odd GPU (e.g. memory "[N/A]") does not hide the others.
 */
export function parseNvidiaSmiCsv(text: string, warnings: string[] = []): LocalGpu[] {
  const gpus: LocalGpu[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 4) {
      warnings.push(`nvidia-smi line ${i + 1}: expected 4 fields, got ${fields.length}: ${clip(line)}`);
      return;
    }
    // Index is first and memory/uuid are last, so a name containing a comma survives.
    const indexText = fields[0] ?? '';
    const uuid = fields[fields.length - 1] ?? '';
    const memText = fields[fields.length - 2] ?? '';
    const name = fields.slice(1, -2).join(', ');
    const index = /^\d+$/.test(indexText) ? Number(indexText) : NaN;
    const memoryMiB = /^\d+(\.\d+)?$/.test(memText) ? Number(memText) : NaN;
    const problem = Number.isNaN(index)
      ? `bad index "${indexText}"`
      : name === ''
        ? 'empty name'
        : Number.isNaN(memoryMiB)
          ? `bad memory.total "${memText}"`
          : uuid === ''
            ? 'empty uuid'
            : undefined;
    if (problem !== undefined) {
      warnings.push(`nvidia-smi line ${i + 1}: ${problem}: ${clip(line)}`);
      return;
    }
    gpus.push({ index, name, memoryMiB, uuid });
  });
  return gpus;
}

/**
 * Runs nvidia-smi and parses its output. Never throws: a missing binary, a
 * non-zero exit or a timeout yield an empty list and a short warning, since a
 * GPU-less development machine is the normal case for the simulator.
 */
export function queryNvidiaGpus(opts: { timeoutMs?: number } = {}): Promise<NvidiaQueryResult> {
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    try {
      execFile('nvidia-smi', [...NVIDIA_SMI_ARGS], { timeout, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) {
          resolve({ gpus: [], warning: describeFailure(err, stdout, stderr, timeout) });
          return;
        }
        const warnings: string[] = [];
        const gpus = parseNvidiaSmiCsv(stdout, warnings);
        if (gpus.length === 0 && warnings.length === 0) warnings.push('nvidia-smi reported no GPUs');
        resolve(warnings.length > 0 ? { gpus, warning: warnings.join('; ') } : { gpus });
      });
    } catch (e) {
      // execFile can throw synchronously (e.g. invalid options); keep the never-throws contract.
      resolve({ gpus: [], warning: `nvidia-smi could not be started: ${String(e)}` });
    }
  });
}

type ExecError = Error & { code?: string | number | null; killed?: boolean; signal?: NodeJS.Signals | null };

function describeFailure(err: ExecError, stdout: string, stderr: string, timeout: number): string {
  if (err.code === 'ENOENT') return 'nvidia-smi not found';
  if (err.killed || err.signal) return `nvidia-smi timed out after ${timeout} ms`;
  // nvidia-smi prints its driver errors on stdout, so fall back to it.
  const detail = firstLine(stderr) || firstLine(stdout);
  const exit = typeof err.code === 'number' ? `exit ${err.code}` : String(err.code ?? err.message);
  return `nvidia-smi failed (${exit})${detail ? `: ${clip(detail)}` : ''}`;
}

function firstLine(s: string): string {
  return (
    s
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

function clip(s: string, max = 120): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
