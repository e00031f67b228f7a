/**
 * A cluster from an inventory of nodes: the generic CSV a user can export from their own fleet, and the openb node
 * list, both become the same rows and then one cluster-file document (plain data, for YAML).
 *
 * Columns: `name` (required), `pool` (default `default`), `cpu` (cores or a quantity: `64`, `500m`), `memory` (a
 * quantity: `256Gi`), `gpu_count` (default 0), `gpu_model` (required with GPUs), `gpu_memory_gib` (declares a GPU
 * type the catalog lacks).
 */
import { isCatalogGpuName } from '../cluster/gpu-catalog.ts';
import { parseBytes, parseMillicores } from '../cluster/quantity.ts';
import { CsvReader, readCsv } from './csv.ts';
import type { OpenbNode } from './openb.ts';
import type { Parsed } from './openb.ts';

export interface InventoryNode {
  readonly name: string;
  readonly pool: string;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly gpuCount: number;
  readonly gpuModel: string;
  readonly gpuMemoryGiB?: number;
}

export const INVENTORY_COLUMNS = ['name', 'pool', 'cpu', 'memory', 'gpu_count', 'gpu_model', 'gpu_memory_gib'] as const;
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const MIB = 2 ** 20;
/** The memory of a declared GPU type whose memory nobody stated. */
const PLACEHOLDER_GIB = 16;

export function parseInventory(file: string, text: string): Parsed<InventoryNode> {
  const table = readCsv(file, text);
  if (!table.ok) return table;
  const r = new CsvReader(file, table, ['name', 'cpu', 'memory']);
  const items: InventoryNode[] = [];
  for (const row of r.rows) {
    const name = r.text(row, 'name');
    const pool = r.text(row, 'pool') || 'default';
    if (!NAME.test(name))
      r.fail(row, r.cell(row, 'name'), `name "${name}" must be lower-case letters, digits, "-" or "."`);
    if (!NAME.test(pool))
      r.fail(row, r.cell(row, 'pool'), `pool "${pool}" must be lower-case letters, digits, "-" or "."`);
    const cpu = parseMillicores(r.text(row, 'cpu'));
    if (!cpu.ok) r.fail(row, r.cell(row, 'cpu'), `cpu: ${cpu.reason}`);
    const memory = parseBytes(r.text(row, 'memory'));
    if (!memory.ok) r.fail(row, r.cell(row, 'memory'), `memory: ${memory.reason}`);
    const gpuCount = r.integer(row, 'gpu_count', { optional: true });
    const gpuModel = r.text(row, 'gpu_model');
    if (gpuCount !== undefined && gpuCount > 0 && gpuModel === '')
      r.fail(row, r.cell(row, 'gpu_model'), `gpu_model is empty on a node with ${gpuCount} GPUs`);
    const memoryText = r.text(row, 'gpu_memory_gib');
    const gpuMemoryGiB = memoryText === '' ? undefined : Number(memoryText);
    if (gpuMemoryGiB !== undefined && !(gpuMemoryGiB > 0))
      r.fail(row, r.cell(row, 'gpu_memory_gib'), `gpu_memory_gib must be a positive number, got "${memoryText}"`);
    if (!cpu.ok || !memory.ok || gpuCount === undefined) continue;
    items.push({
      name,
      pool,
      cpuMillis: cpu.value,
      memoryBytes: memory.value,
      gpuCount,
      gpuModel: gpuCount > 0 ? gpuModel : '',
      ...(gpuMemoryGiB !== undefined && gpuMemoryGiB > 0 ? { gpuMemoryGiB } : {}),
    });
  }
  return r.errors.length > 0 ? { ok: false, errors: r.errors } : { ok: true, items };
}

/**
 * Per-GPU memory of the openb models where it is public; the trace itself does not say. G2 and G3 are anonymised
 * models: they get a stated placeholder (only `gpuMemoryRequest` pods would read it).
 */
export const OPENB_GPU_MEMORY_GIB: Readonly<Record<string, number>> = {
  P100: 16,
  T4: 16,
  V100M16: 16,
  V100M32: 32,
  A10: 24,
};

export function inventoryFromOpenb(nodes: readonly OpenbNode[], pool: string): InventoryNode[] {
  return nodes.map((n) => ({
    name: n.name.toLowerCase(),
    pool,
    cpuMillis: n.milliCpu,
    memoryBytes: n.memoryMib * MIB,
    gpuCount: n.gpuCount,
    gpuModel: n.gpuType,
    ...(OPENB_GPU_MEMORY_GIB[n.gpuType] !== undefined ? { gpuMemoryGiB: OPENB_GPU_MEMORY_GIB[n.gpuType] } : {}),
  }));
}

export interface ClusterDocumentOptions {
  readonly name: string;
  /** One department and project that may use every GPU (a scenario's workloads need a project). */
  readonly project?: string;
  readonly source: string;
}

/** The cluster file, as YAML will write it: GPU types declared, one node set per run of identical nodes. */
export function clusterDocument(
  nodes: readonly InventoryNode[],
  options: ClusterDocumentOptions,
): Record<string, unknown> {
  const gpuTypes: Record<string, { memoryGiB: number; source: string }> = {};
  for (const n of nodes) {
    if (n.gpuCount === 0 || isCatalogGpuName(n.gpuModel) || gpuTypes[n.gpuModel]) continue;
    gpuTypes[n.gpuModel] =
      n.gpuMemoryGiB !== undefined
        ? { memoryGiB: n.gpuMemoryGiB, source: `${options.source}: model ${n.gpuModel}` }
        : {
            memoryGiB: PLACEHOLDER_GIB,
            source: `${options.source}: model ${n.gpuModel}; its memory is not given, ${PLACEHOLDER_GIB} GiB assumed`,
          };
  }
  const pools = [...new Set(nodes.map((n) => n.pool))].map((pool) => {
    const members = nodes.filter((n) => n.pool === pool);
    return { name: pool, placement: 'binpack', nodes: nodeSets(members, pool) };
  });
  const gpus = nodes.reduce((sum, n) => sum + n.gpuCount, 0);
  const project = options.project;
  const quota = Object.fromEntries(pools.map((p) => [p.name, { deserved: gpus }]));
  return {
    name: options.name,
    ...(Object.keys(gpuTypes).length > 0 ? { gpuTypes } : {}),
    nodePools: pools,
    ...(project ? { departments: [{ name: project, quota, projects: [{ name: project, quota }] }] } : {}),
  };
}

/**
 * Runs of identical consecutive nodes. Node names come out as `<prefix><ordinal>` across the pool, so the file's
 * names are kept when they already follow that pattern; otherwise the pool's default names are used.
 */
function nodeSets(members: readonly InventoryNode[], pool: string): Record<string, unknown>[] {
  const width = String(members.length - 1).length;
  const prefix = commonPrefix(members, width);
  const sets: { shape: string; set: Record<string, unknown> & { count: number } }[] = [];
  for (const n of members) {
    const shape = `${n.cpuMillis}/${n.memoryBytes}/${n.gpuCount}/${n.gpuModel}`;
    const last = sets.at(-1);
    if (last && last.shape === shape) {
      last.set.count++;
      continue;
    }
    sets.push({
      shape,
      set: {
        count: 1,
        ...(prefix !== `${pool}-` ? { namePrefix: prefix } : {}),
        ...(n.gpuCount > 0 ? { gpu: { model: n.gpuModel, count: n.gpuCount } } : {}),
        cpu: n.cpuMillis % 1000 === 0 ? n.cpuMillis / 1000 : `${n.cpuMillis}m`,
        memory: n.memoryBytes % MIB === 0 ? `${n.memoryBytes / MIB}Mi` : n.memoryBytes,
      },
    });
  }
  return sets.map((s) => s.set);
}

/** The prefix P such that node i is named P + i padded to `width`, or the pool's default prefix. */
function commonPrefix(members: readonly InventoryNode[], width: number): string {
  const first = members[0]?.name ?? '';
  const candidate = first.slice(0, first.length - width);
  const follows = members.every((n, i) => n.name === `${candidate}${String(i).padStart(width, '0')}`);
  return follows && /^[a-z0-9][-a-z0-9.]*$/.test(candidate) ? candidate : `${members[0]?.pool ?? 'default'}-`;
}
