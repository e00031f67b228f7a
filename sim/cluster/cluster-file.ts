import type { SchemaObject } from 'ajv';
import { SchemaCheck } from '../config/schema-check.ts';
import type { ConfigError, PathSegment, SourceDocument } from '../config/source-document.ts';
import { stableUuid } from '../config/stable-uuid.ts';
import { GPU_CATALOG, GPU_INTERCONNECTS, isCatalogGpuName, type GpuType, type GpuTypeTable } from './gpu-catalog.ts';
import { ClusterLayout } from './layout.ts';
import { parseBytes, parseMillicores } from './quantity.ts';
import {
  DEFAULT_SCALE_OUT_NETWORK,
  PLACEMENT_STRATEGIES,
  TAINT_EFFECTS,
  type ClusterSpec,
  type DepartmentSpec,
  type NodePoolSpec,
  type NodeSetSpec,
  type PlacementStrategy,
  type PoolQuota,
  type QueueSpec,
  type ScaleOutNetwork,
  type TopologyLevelSpec,
} from './spec.ts';

/** A pool made from the machine lwsim runs on; the outside world (src/hardware) supplies its nodes. */
export interface LocalPoolSpec extends Omit<NodePoolSpec, 'nodes'> {
  readonly local: true;
}

/** A cluster file, validated and normalised, before the local machine is filled in. */
export interface ClusterFileSpec extends Omit<ClusterSpec, 'nodePools'> {
  readonly nodePools: readonly (NodePoolSpec | LocalPoolSpec)[];
}

export type ClusterFileResult = { ok: true; spec: ClusterFileSpec } | { ok: false; errors: ConfigError[] };

const quantity = { type: ['number', 'string'] } as const;
const poolQuotas = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      deserved: { type: 'number', minimum: 0 },
      limit: { type: ['number', 'null'], minimum: 0 },
      overQuotaWeight: { type: 'number', minimum: 0 },
    },
  },
} as const;
const queueFields = {
  name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
  rank: { type: 'integer' },
  quota: poolQuotas,
} as const;
const name = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 63 } as const;
/** A datasheet figure: positive, or null for unknown. */
const figure = { type: ['number', 'null'], exclusiveMinimum: 0 } as const;
/** GPU type names become the node label nvidia.com/gpu.product, so they must be label values. */
const GPU_TYPE_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * The shape of the cluster proper: topology, GPU types, node pools, departments. The file's other blocks
 * (`scheduler:`, `delays:`, the server's `users:` and `serving:`) belong to other rooms, which read them.
 */
export const CLUSTER_FILE_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'nodePools'],
  properties: {
    name,
    clusterId: { type: 'string', pattern: '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' },
    topology: {
      type: 'object',
      additionalProperties: false,
      required: ['levels'],
      properties: {
        levels: {
          type: 'array',
          maxItems: 8,
          items: {
            oneOf: [
              name,
              {
                type: 'object',
                additionalProperties: false,
                required: ['name'],
                properties: { name, label: { type: 'string', minLength: 1 } },
              },
            ],
          },
        },
      },
    },
    gpuTypes: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          memoryGiB: { type: 'number', exclusiveMinimum: 0 },
          bf16Tflops: figure,
          fp8Tflops: figure,
          fp4Tflops: figure,
          memoryBandwidthTBs: figure,
          nvlinkGBs: figure,
          interconnect: { enum: [...GPU_INTERCONNECTS, null] },
          source: { type: 'string', minLength: 1 },
        },
      },
    },
    departments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'projects'],
        properties: {
          ...queueFields,
          projects: {
            type: 'array',
            items: { type: 'object', additionalProperties: false, required: ['name'], properties: queueFields },
          },
        },
      },
    },
    nodePools: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name,
          placement: { enum: [...PLACEMENT_STRATEGIES] },
          local: { type: 'boolean' },
          nodes: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['count', 'cpu', 'memory'],
              properties: {
                count: { type: 'integer', minimum: 1, maximum: 1_000_000 },
                namePrefix: { type: 'string', pattern: '^[a-z0-9][-a-z0-9.]*$' },
                gpu: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['model', 'count'],
                  properties: {
                    model: { type: 'string', minLength: 1 },
                    count: { type: 'integer', minimum: 0, maximum: 64 },
                    memory: quantity,
                  },
                },
                cpu: quantity,
                memory: quantity,
                labels: { type: 'object', additionalProperties: { type: 'string' } },
                network: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    bandwidthGbps: { type: 'number', exclusiveMinimum: 0 },
                    latencyMicros: { type: 'number', minimum: 0 },
                  },
                },
                taints: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['key', 'effect'],
                    properties: {
                      key: { type: 'string', minLength: 1 },
                      value: { type: 'string' },
                      effect: { enum: [...TAINT_EFFECTS] },
                    },
                  },
                },
                topology: {
                  type: 'object',
                  additionalProperties: {
                    oneOf: [
                      { type: 'integer', minimum: 1 },
                      { type: 'string', minLength: 1 },
                    ],
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const schemaCheck = new SchemaCheck(CLUSTER_FILE_SCHEMA);

/**
 * Validates the cluster proper of a document found at `at` in `source` (a cluster file, or the cluster a scenario
 * embeds), reporting errors against that source. The caller (src/config) has taken the other blocks out.
 */
export function validateClusterDocument(
  value: unknown,
  source: SourceDocument,
  at: readonly PathSegment[],
): ClusterFileResult {
  const schemaErrors = schemaCheck.check(value, source, at);
  if (schemaErrors.length > 0) return { ok: false, errors: schemaErrors };
  return new Normaliser(source, at).run(value as RawCluster);
}

interface RawNodeSet {
  count: number;
  namePrefix?: string;
  gpu?: { model: string; count: number; memory?: string | number };
  cpu: string | number;
  memory: string | number;
  labels?: Record<string, string>;
  network?: Partial<ScaleOutNetwork>;
  taints?: { key: string; value?: string; effect: (typeof TAINT_EFFECTS)[number] }[];
  topology?: Record<string, number | string>;
}

type RawQuotas = Record<string, { deserved?: number; limit?: number | null; overQuotaWeight?: number }>;
interface RawQueue {
  name: string;
  rank?: number;
  quota?: RawQuotas;
}

interface RawCluster {
  name: string;
  gpuTypes?: Record<string, Partial<Omit<GpuType, 'id'>>>;
  departments?: (RawQueue & { projects: RawQueue[] })[];
  clusterId?: string;
  topology?: { levels: (string | { name: string; label?: string })[] };
  nodePools: { name: string; placement?: PlacementStrategy; local?: boolean; nodes?: RawNodeSet[] }[];
}

/** Semantic checks the schema cannot express, and the conversion to a ClusterSpec. */
class Normaliser {
  private readonly errors: ConfigError[] = [];

  constructor(
    private readonly source: SourceDocument,
    private readonly at: readonly PathSegment[],
  ) {}

  run(raw: RawCluster): ClusterFileResult {
    const levels = this.levels(raw);
    const gpuTypes = this.gpuTypes(raw);
    const names = new Set<string>();
    const nodePools = raw.nodePools.map((pool, p): NodePoolSpec | LocalPoolSpec => {
      if (names.has(pool.name)) this.error(['nodePools', p, 'name'], `node pool "${pool.name}" is defined twice`);
      names.add(pool.name);
      const placement = pool.placement ?? 'binpack';
      if (pool.local === true) {
        if (pool.nodes !== undefined)
          this.error(['nodePools', p, 'nodes'], 'a local pool takes its nodes from this machine; remove "nodes"');
        return { name: pool.name, placement, local: true };
      }
      if (pool.nodes === undefined) {
        this.error(['nodePools', p], 'missing required field "nodes" (or set "local: true")');
        return { name: pool.name, placement, nodes: [] };
      }
      return {
        name: pool.name,
        placement,
        nodes: pool.nodes.map((set, s) => this.nodeSet(set, ['nodePools', p, 'nodes', s], levels, gpuTypes)),
      };
    });
    const departments = this.departments(raw, new Set(nodePools.map((p) => p.name)));
    const spec: ClusterFileSpec = {
      name: raw.name,
      id: raw.clusterId?.toLowerCase() ?? stableUuid(`lwsim-cluster:${raw.name}`),
      topologyLevels: levels,
      nodePools,
      departments,
      gpuTypes,
    };
    if (this.errors.length === 0) {
      // Building the layout catches what only the whole picture shows: duplicate node names, crossed domains.
      const built = ClusterLayout.build(withoutLocalPools(spec));
      if (!built.ok) for (const e of built.errors) this.error(e.path, e.message);
    }
    return this.errors.length > 0 ? { ok: false, errors: this.errors } : { ok: true, spec };
  }

  /**
   * The catalog with the file's declarations over it: a catalog name takes the figures given and keeps the rest;
   * a new name needs its memory, and an unstated figure is unknown (null).
   */
  private gpuTypes(raw: RawCluster): GpuTypeTable {
    const table: Record<string, GpuType> = { ...GPU_CATALOG };
    for (const [name, declared] of Object.entries(raw.gpuTypes ?? {})) {
      if (!GPU_TYPE_NAME.test(name)) {
        this.error(
          ['gpuTypes', name],
          `GPU type name "${name}" must be a label value: up to 63 letters, digits, "-", "_" or ".", alphanumeric at both ends`,
          true,
        );
        continue;
      }
      const base = isCatalogGpuName(name) ? GPU_CATALOG[name] : undefined;
      if (base === undefined && declared.memoryGiB === undefined)
        this.error(['gpuTypes', name], `missing required field "memoryGiB" (GPU type "${name}" is not in the catalog)`);
      table[name] = {
        id: name,
        memoryGiB: declared.memoryGiB ?? base?.memoryGiB ?? 0,
        bf16Tflops: field(declared.bf16Tflops, base?.bf16Tflops),
        fp8Tflops: field(declared.fp8Tflops, base?.fp8Tflops),
        fp4Tflops: field(declared.fp4Tflops, base?.fp4Tflops),
        memoryBandwidthTBs: field(declared.memoryBandwidthTBs, base?.memoryBandwidthTBs),
        nvlinkGBs: field(declared.nvlinkGBs, base?.nvlinkGBs),
        interconnect: field(declared.interconnect, base?.interconnect),
        source:
          declared.source ?? (base ? `${base.source}; figures from the cluster file over it` : 'the cluster file'),
      };
    }
    return table;
  }

  /** Queue names are unique per kind (projects are what workloads name); quotas name known pools. */
  private departments(raw: RawCluster, pools: ReadonlySet<string>): DepartmentSpec[] {
    const departmentNames = new Set<string>();
    const projectNames = new Set<string>();
    return (raw.departments ?? []).map((department, d) => {
      const at: PathSegment[] = ['departments', d];
      if (departmentNames.has(department.name))
        this.error([...at, 'name'], `department "${department.name}" is defined twice`);
      departmentNames.add(department.name);
      const projects = department.projects.map((project, p) => {
        if (projectNames.has(project.name))
          this.error([...at, 'projects', p, 'name'], `project "${project.name}" is defined twice`);
        projectNames.add(project.name);
        return this.queue(project, [...at, 'projects', p], pools);
      });
      return { ...this.queue(department, at, pools), projects };
    });
  }

  private queue(raw: RawQueue, at: PathSegment[], pools: ReadonlySet<string>): QueueSpec {
    const quotas: Record<string, Partial<PoolQuota>> = {};
    for (const [pool, quota] of Object.entries(raw.quota ?? {})) {
      if (!pools.has(pool))
        this.error([...at, 'quota', pool], `unknown node pool "${pool}" (pools: ${[...pools].join(', ')})`);
      if (quota.limit != null && quota.deserved !== undefined && quota.limit < quota.deserved) {
        this.error([...at, 'quota', pool, 'limit'], `limit ${quota.limit} is below deserved ${quota.deserved}`);
      }
      quotas[pool] = quota;
    }
    return { name: raw.name, rank: raw.rank ?? 0, quotas };
  }

  private levels(raw: RawCluster): TopologyLevelSpec[] {
    const seen = new Set<string>();
    return (raw.topology?.levels ?? []).map((level, i) => {
      const spec =
        typeof level === 'string'
          ? { name: level, label: `lwsim.io/topology.${level}` }
          : { name: level.name, label: level.label ?? `lwsim.io/topology.${level.name}` };
      if (seen.has(spec.name)) this.error(['topology', 'levels', i], `topology level "${spec.name}" is listed twice`);
      seen.add(spec.name);
      return spec;
    });
  }

  private nodeSet(
    raw: RawNodeSet,
    path: PathSegment[],
    levels: readonly TopologyLevelSpec[],
    gpuTypes: GpuTypeTable,
  ): NodeSetSpec {
    const model = raw.gpu?.model ?? 'cpu';
    if (!Object.hasOwn(gpuTypes, model)) {
      this.error(
        [...path, 'gpu', 'model'],
        `unknown GPU type "${model}": declare it under gpuTypes (known: ${Object.keys(gpuTypes).join(', ')})`,
      );
    }
    const cpu = parseMillicores(raw.cpu);
    if (!cpu.ok) this.error([...path, 'cpu'], cpu.reason);
    const memory = parseBytes(raw.memory);
    if (!memory.ok) this.error([...path, 'memory'], memory.reason);
    let gpuMemory: number | undefined;
    if (raw.gpu?.memory !== undefined) {
      const parsed = parseBytes(raw.gpu.memory);
      if (parsed.ok) gpuMemory = parsed.value;
      else this.error([...path, 'gpu', 'memory'], parsed.reason);
    }
    for (const key of Object.keys(raw.topology ?? {})) {
      if (!levels.some((l) => l.name === key)) {
        const known =
          levels.length > 0
            ? `known levels: ${levels.map((l) => l.name).join(', ')}`
            : 'the cluster declares no topology levels';
        this.error([...path, 'topology', key], `unknown topology level "${key}" (${known})`);
      }
    }
    return {
      count: raw.count,
      ...(raw.namePrefix !== undefined ? { namePrefix: raw.namePrefix } : {}),
      gpu: {
        model,
        count: raw.gpu?.count ?? 0,
        ...(gpuMemory !== undefined ? { memoryBytes: gpuMemory } : {}),
      },
      cpuMillis: cpu.ok ? cpu.value : 0,
      memoryBytes: memory.ok ? memory.value : 0,
      labels: raw.labels ?? {},
      ...(raw.network !== undefined ? { network: { ...DEFAULT_SCALE_OUT_NETWORK, ...raw.network } } : {}),
      taints: raw.taints ?? [],
      topology: raw.topology ?? {},
    };
  }

  private error(path: readonly PathSegment[], message: string, atKey = false): void {
    this.errors.push(this.source.errorAt([...this.at, ...path], message, atKey));
  }
}

/** A declared figure (null: unknown), else the catalog's, else unknown. */
function field<T>(declared: T | null | undefined, base: T | null | undefined): T | null {
  return declared !== undefined ? declared : (base ?? null);
}

/** The spec with local pools left empty (for checks that run before the machine is known). */
function withoutLocalPools(spec: ClusterFileSpec): ClusterSpec {
  return {
    ...spec,
    nodePools: spec.nodePools.map((p) => ('local' in p ? { name: p.name, placement: p.placement, nodes: [] } : p)),
  };
}

/** Fills every local pool with the given node set (one node: this machine). */
export function resolveLocalPools(spec: ClusterFileSpec, localNodes: NodeSetSpec): ClusterSpec {
  return {
    ...spec,
    nodePools: spec.nodePools.map((p) =>
      'local' in p
        ? {
            name: p.name,
            placement: p.placement,
            nodes: [{ ...localNodes, namePrefix: localNodes.namePrefix ?? `${p.name}-` }],
          }
        : p,
    ),
  };
}
