/**
 * The Alibaba `openb` cluster trace (the FGD paper's data): node and pod lists as CSV. Parsing only; the files are
 * read by the caller. Errors name the file, line and column of the bad value.
 */
import { CsvReader, readCsv, type CsvRow, type ImportError } from './csv.ts';

/** One node of `openb_node_list_*.csv`: `sn,cpu_milli,memory_mib,gpu,model`. */
export interface OpenbNode {
  readonly name: string;
  readonly milliCpu: number;
  readonly memoryMib: number;
  readonly gpuCount: number;
  /** The GPU type ('' for a node without GPUs). */
  readonly gpuType: string;
}

/** One pod of `openb_pod_list_*.csv`. Times are seconds from the trace's start (unused by FGD's experiment). */
export interface OpenbPod {
  readonly name: string;
  readonly milliCpu: number;
  readonly memoryMib: number;
  readonly gpuNumber: number;
  /** Per GPU, 0..1000: below 1000 a share of one GPU. Clipped to 1000, as the reference's converter does. */
  readonly milliGpu: number;
  /** Allowed GPU types, '|'-separated in the file; empty means any type. */
  readonly gpuSpec: readonly string[];
  readonly creationTime: number;
  readonly deletionTime: number | null;
}

export type Parsed<T> = { ok: true; items: T[] } | { ok: false; errors: ImportError[] };

const NODE_COLUMNS = ['sn', 'cpu_milli', 'memory_mib', 'gpu', 'model'] as const;
const POD_COLUMNS = ['name', 'cpu_milli', 'memory_mib', 'num_gpu', 'gpu_milli'] as const;

export function parseOpenbNodes(file: string, text: string): Parsed<OpenbNode> {
  return parseRows(file, text, NODE_COLUMNS, (r, row) => {
    const name = r.text(row, 'sn');
    if (name === '') return r.fail(row, r.cell(row, 'sn'), 'sn (the node name) is empty');
    const milliCpu = r.integer(row, 'cpu_milli');
    const memoryMib = r.integer(row, 'memory_mib');
    const gpuCount = r.integer(row, 'gpu');
    const gpuType = r.text(row, 'model');
    if (gpuCount !== undefined && gpuCount > 0 && gpuType === '')
      return r.fail(row, r.cell(row, 'model'), `model is empty on a node with ${gpuCount} GPUs`);
    if (milliCpu === undefined || memoryMib === undefined || gpuCount === undefined) return undefined;
    return { name, milliCpu, memoryMib, gpuCount, gpuType: gpuCount > 0 ? gpuType : '' };
  });
}

export function parseOpenbPods(file: string, text: string): Parsed<OpenbPod> {
  return parseRows(file, text, POD_COLUMNS, (r, row) => {
    const name = r.text(row, 'name');
    if (name === '') return r.fail(row, r.cell(row, 'name'), 'name is empty');
    const milliCpu = r.integer(row, 'cpu_milli');
    const memoryMib = r.integer(row, 'memory_mib');
    const gpuNumber = r.integer(row, 'num_gpu');
    const milliGpu = r.integer(row, 'gpu_milli');
    const creationTime = r.integer(row, 'creation_time', { optional: true });
    const deletion = r.text(row, 'deletion_time');
    const deletionTime = deletion === '' ? null : r.integer(row, 'deletion_time');
    if (gpuNumber !== undefined && milliGpu !== undefined && gpuNumber > 1 && milliGpu < 1000 && milliGpu > 0)
      return r.fail(
        row,
        r.cell(row, 'gpu_milli'),
        `a pod of ${gpuNumber} GPUs must take whole GPUs (1000), got ${milliGpu}`,
      );
    if (
      milliCpu === undefined ||
      memoryMib === undefined ||
      gpuNumber === undefined ||
      milliGpu === undefined ||
      creationTime === undefined ||
      deletionTime === undefined
    )
      return undefined;
    const spec = r.text(row, 'gpu_spec');
    return {
      name,
      milliCpu,
      memoryMib,
      // The reference adds the GPU annotations only for num_gpu != 0.
      gpuNumber,
      milliGpu: gpuNumber === 0 ? 0 : Math.min(milliGpu, 1000),
      gpuSpec: gpuNumber === 0 || spec === '' ? [] : spec.split('|').map((s) => s.trim()),
      creationTime,
      deletionTime,
    };
  });
}

function parseRows<T>(
  file: string,
  text: string,
  columns: readonly string[],
  read: (reader: CsvReader, row: CsvRow) => T | undefined,
): Parsed<T> {
  const table = readCsv(file, text);
  if (!table.ok) return table;
  const reader = new CsvReader(file, table, columns);
  const items: T[] = [];
  for (const row of reader.rows) {
    const item = read(reader, row);
    if (item !== undefined) items.push(item);
  }
  return reader.errors.length > 0 ? { ok: false, errors: reader.errors } : { ok: true, items };
}
