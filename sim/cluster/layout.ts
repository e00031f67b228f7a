import { GIB } from './quantity.ts';
import { NODE_LABELS, type ClusterSpec, type NodeSetSpec, type PlacementStrategy, type Taint } from './spec.ts';

/** One node, immutable: what it is, not what runs on it. */
export interface NodeInfo {
  readonly index: number;
  readonly name: string;
  readonly pool: number;
  /** The GPU type's name (a key of the spec's `gpuTypes`). */
  readonly gpuModel: string;
  readonly gpuCount: number;
  readonly gpuMemoryBytes: number;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** Domain id per topology level, outermost first. */
  readonly domains: readonly number[];
}

/** A topology domain. Each pool has a root domain (level -1) above its outermost level. */
export interface DomainInfo {
  readonly id: number;
  readonly name: string;
  /** Index into the cluster's topology levels; -1 for a pool's root. */
  readonly level: number;
  readonly pool: number;
  readonly parent: number;
  readonly nodes: readonly number[];
  readonly gpuCount: number;
}

export interface PoolInfo {
  readonly index: number;
  readonly name: string;
  readonly placement: PlacementStrategy;
  readonly root: number;
  readonly nodes: readonly number[];
  readonly gpuCount: number;
  readonly gpusPerNodeMax: number;
}

/** A problem in the spec, with the path of the node set that caused it (for located file errors). */
export interface LayoutError {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export type LayoutResult = { ok: true; layout: ClusterLayout } | { ok: false; errors: LayoutError[] };

/**
 * The static shape of a cluster: nodes, pools and the topology tree, with dense integer ids so that allocation
 * state can live in typed arrays. Built once from a spec and shared, read-only, by every fork of the state.
 */
export class ClusterLayout {
  readonly gpuOffset: Int32Array; // node i's GPUs are gpuOffset[i] .. gpuOffset[i + 1] - 1
  readonly totalGpus: number;
  private readonly nodeIndex: ReadonlyMap<string, number>;
  private readonly poolIndex: ReadonlyMap<string, number>;

  private constructor(
    readonly spec: ClusterSpec,
    readonly nodes: readonly NodeInfo[],
    readonly domains: readonly DomainInfo[],
    readonly pools: readonly PoolInfo[],
  ) {
    this.gpuOffset = new Int32Array(nodes.length + 1);
    for (const node of nodes) this.gpuOffset[node.index + 1] = this.gpuOffset[node.index]! + node.gpuCount;
    this.totalGpus = this.gpuOffset[nodes.length]!;
    this.nodeIndex = new Map(nodes.map((n) => [n.name, n.index]));
    this.poolIndex = new Map(pools.map((p) => [p.name, p.index]));
  }

  get levels(): readonly string[] {
    return this.spec.topologyLevels.map((l) => l.name);
  }

  nodeByName(name: string): NodeInfo | undefined {
    const index = this.nodeIndex.get(name);
    return index === undefined ? undefined : this.nodes[index];
  }

  poolByName(name: string): PoolInfo | undefined {
    const index = this.poolIndex.get(name);
    return index === undefined ? undefined : this.pools[index];
  }

  /** Domain ids from the node's outermost level up to the pool root, innermost first: the aggregate update path. */
  pathOf(node: number): readonly number[] {
    const info = this.nodes[node]!;
    return [...info.domains].reverse().concat(this.pools[info.pool]!.root);
  }

  static build(spec: ClusterSpec): LayoutResult {
    const builder = new LayoutBuilder(spec);
    spec.nodePools.forEach((pool, p) => builder.addPool(p, pool.name, pool.placement, pool.nodes));
    if (builder.errors.length > 0) return { ok: false, errors: builder.errors };
    const { nodes, domains, pools } = builder.finish();
    return { ok: true, layout: new ClusterLayout(spec, nodes, domains, pools) };
  }
}

interface MutableDomain {
  id: number;
  name: string;
  level: number;
  pool: number;
  parent: number;
  nodes: number[];
  gpuCount: number;
}

/** Turns pools of node sets into numbered nodes and a domain tree, collecting every error rather than the first. */
class LayoutBuilder {
  readonly errors: LayoutError[] = [];
  private readonly nodes: NodeInfo[] = [];
  private readonly domains: MutableDomain[] = [];
  private readonly pools: PoolInfo[] = [];
  private readonly names = new Set<string>();
  private readonly named = new Map<string, number>(); // `${pool}/${level}/${name}` -> domain id
  private generated = 0;

  constructor(private readonly spec: ClusterSpec) {}

  addPool(p: number, name: string, placement: PlacementStrategy, sets: readonly NodeSetSpec[]): void {
    const root = this.newDomain(name, -1, p, -1);
    const first = this.nodes.length;
    let ordinal = 0;
    const width = String(sets.reduce((sum, s) => sum + s.count, 0) - 1).length;
    sets.forEach((set, s) => {
      const gpuMemory = this.gpuMemoryBytes(set, ['nodePools', p, 'nodes', s, 'gpu', 'model']);
      const members: number[] = [];
      for (let i = 0; i < set.count; i++) {
        const nodeName = `${set.namePrefix ?? `${name}-`}${String(ordinal++).padStart(width, '0')}`;
        members.push(this.addNode(p, nodeName, set, gpuMemory, ['nodePools', p, 'nodes', s]));
      }
      this.placeInTopology(p, root, members, set.topology, ['nodePools', p, 'nodes', s, 'topology']);
    });
    const poolNodes = this.nodes.slice(first).map((n) => n.index);
    this.pools.push({
      index: p,
      name,
      placement,
      root,
      nodes: poolNodes,
      gpuCount: poolNodes.reduce((sum, n) => sum + this.nodes[n]!.gpuCount, 0),
      gpusPerNodeMax: poolNodes.reduce((max, n) => Math.max(max, this.nodes[n]!.gpuCount), 0),
    });
  }

  finish(): { nodes: NodeInfo[]; domains: DomainInfo[]; pools: PoolInfo[] } {
    return { nodes: this.nodes, domains: this.domains, pools: this.pools };
  }

  /** A node set's per-device memory: its own figure, else its GPU type's; an unknown type is an error. */
  private gpuMemoryBytes(set: NodeSetSpec, where: LayoutError['path']): number {
    const types = this.spec.gpuTypes;
    if (!Object.hasOwn(types, set.gpu.model)) {
      const known = Object.keys(types).join(', ');
      this.errors.push({ path: where, message: `unknown GPU type "${set.gpu.model}" (known: ${known})` });
      return 0;
    }
    return set.gpu.memoryBytes ?? Math.round(types[set.gpu.model]!.memoryGiB * GIB);
  }

  private addNode(pool: number, name: string, set: NodeSetSpec, memory: number, where: LayoutError['path']): number {
    if (this.names.has(name)) this.errors.push({ path: where, message: `node name "${name}" is used twice` });
    this.names.add(name);
    const index = this.nodes.length;
    this.nodes.push({
      index,
      name,
      pool,
      gpuModel: set.gpu.model,
      gpuCount: set.gpu.count,
      gpuMemoryBytes: memory,
      cpuMillis: set.cpuMillis,
      memoryBytes: set.memoryBytes,
      labels: {
        [NODE_LABELS.hostname]: name,
        [NODE_LABELS.nodePool]: this.spec.nodePools[pool]!.name,
        [NODE_LABELS.gpuProduct]: set.gpu.model,
        [NODE_LABELS.gpuCount]: String(set.gpu.count),
        ...set.labels,
      },
      taints: set.taints,
      domains: new Array<number>(this.spec.topologyLevels.length).fill(-1),
    });
    return index;
  }

  /**
   * Builds the domains of one node set from the innermost level outwards: a fan-out chunks the children into
   * new domains, a name joins (or opens) a shared domain, a missing level wraps the whole set in one domain.
   */
  private placeInTopology(
    pool: number,
    root: number,
    members: number[],
    topology: NodeSetSpec['topology'],
    where: LayoutError['path'],
  ): void {
    const levels = this.spec.topologyLevels;
    let children: { domain: number; nodes: number[] }[] = members.map((n) => ({ domain: -1, nodes: [n] }));
    for (let level = levels.length - 1; level >= 0; level--) {
      const levelName = levels[level]!.name;
      const shape = topology[levelName];
      const groups: (typeof children)[] =
        typeof shape === 'number' ? chunk(children, shape) : children.length > 0 ? [children] : [];
      children = groups.map((group) => {
        const domain =
          typeof shape === 'string'
            ? this.namedDomain(pool, level, shape)
            : this.newDomain(`${this.spec.nodePools[pool]!.name}-${levelName}-${this.generated++}`, level, pool, -1);
        for (const child of group) this.adopt(domain, child, where);
        return { domain, nodes: group.flatMap((c) => c.nodes) };
      });
    }
    for (const child of children) this.adopt(root, child, where);
  }

  /** Links a child (a domain, or a single node at the innermost level) under `parent` and records the nodes. */
  private adopt(parent: number, child: { domain: number; nodes: number[] }, where: LayoutError['path']): void {
    const domain = this.domains[parent]!;
    if (child.domain >= 0) {
      const existing = this.domains[child.domain]!;
      if (existing.parent >= 0 && existing.parent !== parent) {
        this.errors.push({
          path: where,
          message: `domain "${existing.name}" would sit under both "${this.domains[existing.parent]!.name}" and "${domain.name}"`,
        });
        return;
      }
      existing.parent = parent;
    }
    for (const n of child.nodes) {
      domain.nodes.push(n);
      domain.gpuCount += this.nodes[n]!.gpuCount;
      if (domain.level >= 0) (this.nodes[n]!.domains as number[])[domain.level] = domain.id;
    }
  }

  private namedDomain(pool: number, level: number, name: string): number {
    const key = `${pool}/${level}/${name}`;
    const existing = this.named.get(key);
    if (existing !== undefined) return existing;
    const id = this.newDomain(name, level, pool, -1);
    this.named.set(key, id);
    return id;
  }

  private newDomain(name: string, level: number, pool: number, parent: number): number {
    const id = this.domains.length;
    this.domains.push({ id, name, level, pool, parent, nodes: [], gpuCount: 0 });
    return id;
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
