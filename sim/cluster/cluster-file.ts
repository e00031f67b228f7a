import type { SchemaObject } from 'ajv';
import { SchemaCheck } from '../config/schema-check.ts';
import { SourceDocument, type ConfigError, type PathSegment } from '../config/source-document.ts';
import { stableUuid } from '../config/stable-uuid.ts';
import { GPU_MODEL_IDS, type GpuModelId } from './gpu-catalog.ts';
import { ClusterLayout } from './layout.ts';
import { parseBytes, parseMillicores } from './quantity.ts';
import {
  SERVING_MODEL_SIZES,
  TAINT_EFFECTS,
  type ClusterSpec,
  type ServingModelSize,
  type DepartmentSpec,
  type NodePoolSpec,
  type NodeSetSpec,
  type PoolQuota,
  type QueueSpec,
  type TopologyLevelSpec,
  type UserSpec,
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

/** The shape of a cluster file. Later sections (projects, users, delays) extend it. */
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
    serving: {
      type: 'object',
      additionalProperties: false,
      required: ['modelSize'],
      properties: { modelSize: { enum: [...SERVING_MODEL_SIZES] } },
    },
    users: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'token'],
        properties: {
          email: { type: 'string', minLength: 3, maxLength: 254 },
          token: { type: 'string', pattern: '^[A-Za-z0-9._~+/-]{16,4096}=*$' },
          projects: { oneOf: [{ const: 'all' }, { type: 'array', items: { type: 'string', minLength: 1 } }] },
          admin: { type: 'boolean' },
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
          placement: { enum: ['binpack', 'spread'] },
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
                    model: { enum: [...GPU_MODEL_IDS] },
                    count: { type: 'integer', minimum: 0, maximum: 64 },
                    memory: quantity,
                  },
                },
                cpu: quantity,
                memory: quantity,
                labels: { type: 'object', additionalProperties: { type: 'string' } },
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

/** Parses and validates a cluster file's text. Every error names the file, line, column and path. */
export function parseClusterFile(file: string, text: string): ClusterFileResult {
  const parsed = SourceDocument.parse(file, text);
  if (!parsed.ok) return parsed;
  return validateClusterDocument(parsed.value, parsed.source, []);
}

/**
 * Validates a cluster description found at `at` inside a larger document (a scenario embeds one), reporting
 * errors against the same source.
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
  gpu?: { model: GpuModelId; count: number; memory?: string | number };
  cpu: string | number;
  memory: string | number;
  labels?: Record<string, string>;
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
  serving?: { modelSize: ServingModelSize };
  users?: { email: string; token: string; projects?: string[] | 'all'; admin?: boolean }[];
  departments?: (RawQueue & { projects: RawQueue[] })[];
  clusterId?: string;
  topology?: { levels: (string | { name: string; label?: string })[] };
  nodePools: { name: string; placement?: 'binpack' | 'spread'; local?: boolean; nodes?: RawNodeSet[] }[];
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
        nodes: pool.nodes.map((set, s) => this.nodeSet(set, ['nodePools', p, 'nodes', s], levels)),
      };
    });
    const departments = this.departments(raw, new Set(nodePools.map((p) => p.name)));
    const users = this.users(raw, new Set(departments.flatMap((d) => d.projects.map((p) => p.name))));
    const spec: ClusterFileSpec = {
      name: raw.name,
      id: raw.clusterId?.toLowerCase() ?? stableUuid(`lwsim-cluster:${raw.name}`),
      topologyLevels: levels,
      nodePools,
      departments,
      users,
      ...(raw.serving ? { serving: raw.serving } : {}),
    };
    if (this.errors.length === 0) {
      // Building the layout catches what only the whole picture shows: duplicate node names, crossed domains.
      const built = ClusterLayout.build(withoutLocalPools(spec));
      if (!built.ok) for (const e of built.errors) this.error(e.path, e.message);
    }
    return this.errors.length > 0 ? { ok: false, errors: this.errors } : { ok: true, spec };
  }

  /** API users: unique tokens and emails, projects that exist. */
  private users(raw: RawCluster, projects: ReadonlySet<string>): UserSpec[] {
    const tokens = new Set<string>();
    const emails = new Set<string>();
    return (raw.users ?? []).map((user, u) => {
      if (tokens.has(user.token)) this.error(['users', u, 'token'], 'this token is already given to another user');
      if (emails.has(user.email)) this.error(['users', u, 'email'], `user "${user.email}" is defined twice`);
      tokens.add(user.token);
      emails.add(user.email);
      const wanted = user.projects ?? 'all';
      if (wanted !== 'all')
        wanted.forEach((p, i) => projects.has(p) || this.error(['users', u, 'projects', i], `unknown project "${p}"`));
      return { email: user.email, token: user.token, projects: wanted, admin: user.admin ?? false };
    });
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

  private nodeSet(raw: RawNodeSet, path: PathSegment[], levels: readonly TopologyLevelSpec[]): NodeSetSpec {
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
        model: raw.gpu?.model ?? 'cpu',
        count: raw.gpu?.count ?? 0,
        ...(gpuMemory !== undefined ? { memoryBytes: gpuMemory } : {}),
      },
      cpuMillis: cpu.ok ? cpu.value : 0,
      memoryBytes: memory.ok ? memory.value : 0,
      labels: raw.labels ?? {},
      taints: raw.taints ?? [],
      topology: raw.topology ?? {},
    };
  }

  private error(path: readonly PathSegment[], message: string): void {
    this.errors.push(this.source.errorAt([...this.at, ...path], message));
  }
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
