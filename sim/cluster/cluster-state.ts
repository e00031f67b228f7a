import { BucketIndex, MoveLog, type BucketIndexSnapshot } from './bucket-index.ts';
import type { ClusterLayout, DomainInfo, NodeInfo } from './layout.ts';
import { NodeChanges } from './node-changes.ts';

/**
 * GPU capacity is counted in integer units, a millionth of a device: fractions like 1/3 or 20 GiB of 80 GiB add
 * and subtract exactly, so aggregates never drift over millions of allocations.
 */
export const GPU_UNITS = 1_000_000;

/** What one pod asks of a node. */
export type GpuRequest =
  | { readonly kind: 'none' }
  | { readonly kind: 'devices'; readonly count: number }
  | { readonly kind: 'portion'; readonly portion: number }
  | { readonly kind: 'memory'; readonly bytes: number };

export interface PodResources {
  readonly gpu: GpuRequest;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

/** Where a pod's resources were taken from; handing it back to `release` returns exactly those. */
export interface Binding {
  readonly node: number;
  readonly gpus: readonly number[]; // device indexes on the node
  readonly unitsPerGpu: number;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

export type FitFailure = 'node-not-ready' | 'gpu' | 'gpu-memory' | 'cpu' | 'memory';
export type FitResult = { ok: true } | { ok: false; reason: FitFailure };
export type AllocateResult = { ok: true; binding: Binding } | { ok: false; reason: FitFailure };

const FITS: FitResult = { ok: true };

/** A point of an open trial to undo back to (ClusterState.mark). */
export interface TrialMark {
  readonly applied: number;
  readonly moves: number;
}

/** Free capacity of a node or a domain. */
export interface FreeCapacity {
  /** Devices with nothing on them. */
  readonly wholeGpus: number;
  /** All free capacity, shared devices included, in GPUs. */
  readonly gpus: number;
  /** Nodes whose every device is free (what a whole-node pod needs). */
  readonly emptyNodes: number;
}

/** A ClusterState as plain data: its per-device and aggregate arrays, then its bucket indexes. */
export interface ClusterStateSnapshot {
  readonly arrays: readonly (readonly number[])[];
  readonly buckets: readonly BucketIndexSnapshot[];
}

/**
 * What is allocated where, on top of a shared, immutable layout. Besides per-device usage it keeps, up to date
 * on every change: per-node and per-domain free capacity, and bucket indexes of ready nodes by free devices (per
 * pool) and of domains by free devices (per pool and level), so placement can search instead of scan.
 */
export class ClusterState {
  private gpuUsed: Int32Array; // units used, per device
  private nodeFreeWhole: Int32Array;
  private nodeFreeUnits: Float64Array;
  private nodeCpuFree: Float64Array;
  private nodeMemoryFree: Float64Array;
  private nodeReady: Uint8Array;
  private domainFreeWhole: Float64Array;
  private domainFreeUnits: Float64Array;
  private domainEmptyNodes: Float64Array;
  private poolNodes: BucketIndex[]; // per pool: ready nodes keyed by free whole devices
  private sharedNodes: BucketIndex[]; // per pool: ready nodes with a partly used device (key 0)
  private levelDomains: BucketIndex[][]; // per pool, per level: domains keyed by whole GPUs of free capacity
  private levelDomainsByEmpty: BucketIndex[][]; // per pool, per level: domains keyed by empty nodes
  private poolReadyGpus: Float64Array; // per pool: devices on ready nodes (what quotas and fair share divide)
  private gpuPods: Int32Array; // per node, at gpuOffset + node: resident pods sharing a device, then taking k devices
  /** While a trial is open: the index moves and the changes made, to undo them exactly (see `undoTo`). */
  private moves = new MoveLog();
  private changes: NodeChanges[]; // per pool
  private applied: { readonly binding: Binding; readonly sign: 1 | -1 }[] | null = null;

  constructor(readonly layout: ClusterLayout) {
    const { nodes, domains, pools, totalGpus } = layout;
    this.gpuUsed = new Int32Array(totalGpus);
    this.gpuPods = new Int32Array(totalGpus + nodes.length);
    this.nodeFreeWhole = Int32Array.from(nodes, (n) => n.gpuCount);
    this.nodeFreeUnits = Float64Array.from(nodes, (n) => n.gpuCount * GPU_UNITS);
    this.nodeCpuFree = Float64Array.from(nodes, (n) => n.cpuMillis);
    this.nodeMemoryFree = Float64Array.from(nodes, (n) => n.memoryBytes);
    this.nodeReady = new Uint8Array(nodes.length).fill(1);
    this.poolReadyGpus = Float64Array.from(pools, (p) => p.gpuCount);
    this.changes = pools.map((p) => new NodeChanges(p.nodes.length));
    this.domainFreeWhole = Float64Array.from(domains, (d) => d.gpuCount);
    this.domainFreeUnits = Float64Array.from(domains, (d) => d.gpuCount * GPU_UNITS);
    this.domainEmptyNodes = Float64Array.from(domains, (d) => d.nodes.length);
    this.poolNodes = pools.map((p) => new BucketIndex(nodes.length, p.gpusPerNodeMax, this.moves));
    this.sharedNodes = pools.map(() => new BucketIndex(nodes.length, 0, this.moves));
    for (const node of nodes) this.poolNodes[node.pool]!.set(node.index, node.gpuCount);
    const levelIndex = (key: (d: DomainInfo) => number, max: (d: DomainInfo) => number): BucketIndex[][] =>
      pools.map((pool) =>
        layout.levels.map((_, level) => {
          const members = domains.filter((d) => d.pool === pool.index && d.level === level);
          const index = new BucketIndex(domains.length, Math.max(0, ...members.map(max)), this.moves);
          for (const d of members) index.set(d.id, key(d));
          return index;
        }),
      );
    this.levelDomains = levelIndex(
      (d) => d.gpuCount,
      (d) => d.gpuCount,
    );
    this.levelDomainsByEmpty = levelIndex(
      (d) => d.nodes.length,
      (d) => d.nodes.length,
    );
  }

  // ---- reading ------------------------------------------------------------------------------------------

  /** Devices on the ready nodes of a pool. */
  readyGpus(pool: number): number {
    return this.poolReadyGpus[pool]!;
  }

  isReady(node: number): boolean {
    return this.nodeReady[node] === 1;
  }

  nodeFree(node: number): FreeCapacity & { readonly cpuMillis: number; readonly memoryBytes: number } {
    return {
      wholeGpus: this.nodeFreeWhole[node]!,
      gpus: this.nodeFreeUnits[node]! / GPU_UNITS,
      emptyNodes: this.nodeFreeWhole[node] === this.layout.nodes[node]!.gpuCount ? 1 : 0,
      cpuMillis: this.nodeCpuFree[node]!,
      memoryBytes: this.nodeMemoryFree[node]!,
    };
  }

  freeWholeGpus(node: number): number {
    return this.nodeFreeWhole[node]!;
  }

  domainFree(domain: number): FreeCapacity {
    return {
      wholeGpus: this.domainFreeWhole[domain]!,
      gpus: this.domainFreeUnits[domain]! / GPU_UNITS,
      emptyNodes: this.domainEmptyNodes[domain]!,
    };
  }

  /** Units used on each device of the node (0 = free, GPU_UNITS = full). */
  deviceUsage(node: number): Int32Array {
    return this.gpuUsed.subarray(this.layout.gpuOffset[node]!, this.layout.gpuOffset[node + 1]!);
  }

  /**
   * Resident GPU pods of the node by kind: index 0 counts pods on part of one device, index k pods on k whole
   * devices (GpuClustering's affinity tags).
   */
  gpuPodKinds(node: number): Int32Array {
    const start = this.layout.gpuOffset[node]! + node;
    return this.gpuPods.subarray(start, start + this.layout.nodes[node]!.gpuCount + 1);
  }

  /** The nodes of a pool as they change (capacity or readiness), for caches that follow them. */
  changesIn(pool: number): NodeChanges {
    return this.changes[pool]!;
  }

  /** Ready nodes of a pool by free whole devices (read-only use: the state keeps it current). */
  nodesByFreeGpus(pool: number): BucketIndex {
    return this.poolNodes[pool]!;
  }

  /** Ready nodes of a pool with a partly used device, where a fraction can share. */
  nodesWithSharedGpus(pool: number): BucketIndex {
    return this.sharedNodes[pool]!;
  }

  /** Domains of one pool and level by free GPU capacity (shared room included), in whole GPUs rounded down. */
  domainsByFreeGpus(pool: number, level: number): BucketIndex {
    return this.levelDomains[pool]![level]!;
  }

  /** Domains of one pool and level by nodes with every device free. */
  domainsByEmptyNodes(pool: number, level: number): BucketIndex {
    return this.levelDomainsByEmpty[pool]![level]!;
  }

  /** Allocation-free reads of a domain's free capacity, for search loops. */
  domainFreeGpuUnits(domain: number): number {
    return this.domainFreeUnits[domain]!;
  }

  domainFreeWholeGpus(domain: number): number {
    return this.domainFreeWhole[domain]!;
  }

  domainEmptyNodeCount(domain: number): number {
    return this.domainEmptyNodes[domain]!;
  }

  /** Device units a request takes on this node, per device it uses. */
  unitsFor(node: NodeInfo, gpu: GpuRequest): number {
    switch (gpu.kind) {
      case 'none':
        return 0;
      case 'devices':
        return GPU_UNITS;
      case 'portion':
        return Math.min(GPU_UNITS, Math.max(1, Math.round(gpu.portion * GPU_UNITS)));
      case 'memory':
        return node.gpuMemoryBytes <= 0
          ? GPU_UNITS + 1
          : Math.max(1, Math.ceil((gpu.bytes / node.gpuMemoryBytes) * GPU_UNITS));
    }
  }

  /** Would the pod fit on the node now? Checks only resources and readiness; scheduling filters come first. */
  fits(node: number, pod: PodResources): FitResult {
    const failure = this.fitFailure(node, pod);
    return failure === null ? FITS : { ok: false, reason: failure };
  }

  /** The allocation-free form of `fits` for hot loops: null when the pod fits. */
  fitFailure(node: number, pod: PodResources): FitFailure | null {
    if (this.nodeReady[node] !== 1) return 'node-not-ready';
    if (this.nodeCpuFree[node]! < pod.cpuMillis) return 'cpu';
    if (this.nodeMemoryFree[node]! < pod.memoryBytes) return 'memory';
    const gpu = pod.gpu;
    if (gpu.kind === 'none') return null;
    if (gpu.kind === 'devices') return this.nodeFreeWhole[node]! >= gpu.count ? null : 'gpu';
    const units = this.unitsFor(this.layout.nodes[node]!, gpu);
    const short = gpu.kind === 'memory' ? 'gpu-memory' : 'gpu';
    return units <= GPU_UNITS && this.sharedDevice(node, units) >= 0 ? null : short;
  }

  // ---- trials -------------------------------------------------------------------------------------------

  /**
   * Opens a trial: from now on every change is recorded, so `undoTo` can take the state back to any mark exactly,
   * the order of the indexes' buckets included (which breaks ties between equal nodes). A trial that was undone
   * leaves no trace. Changes outside a trial are permanent at once.
   */
  beginTrial(): void {
    if (this.applied !== null) return;
    this.applied = [];
    this.moves.recording = true;
  }

  /** Where the open trial stands now (0 when none is open). */
  mark(): TrialMark {
    return { applied: this.applied?.length ?? 0, moves: this.moves.length };
  }

  /** Undoes the open trial's changes made since `mark`, newest first. */
  undoTo(mark: TrialMark): void {
    const applied = this.applied;
    if (applied === null) return;
    for (let i = applied.length - 1; i >= mark.applied; i--)
      this.apply(applied[i]!.binding, applied[i]!.sign === 1 ? -1 : 1, false);
    applied.length = mark.applied;
    this.moves.undoTo(mark.moves);
  }

  /** Closes the trial: what it still holds is kept. */
  endTrial(): void {
    this.applied = null;
    this.moves.recording = false;
    this.moves.clear();
  }

  // ---- changing -----------------------------------------------------------------------------------------

  /**
   * Takes resources for one pod on one node. Whole devices: the lowest-numbered free ones. A fraction: the most
   * used shared device it fits on (packing fractions together keeps whole devices free), else a free device.
   * A placement policy may name the devices instead (`devices`); they must have room, or it is a model bug.
   */
  allocate(node: number, pod: PodResources, devices?: readonly number[]): AllocateResult {
    const failure = this.fitFailure(node, pod);
    if (failure !== null) return { ok: false, reason: failure };
    const info = this.layout.nodes[node]!;
    const offset = this.layout.gpuOffset[node]!;
    const gpus: number[] = [];
    let units = 0;
    if (devices !== undefined) {
      units = this.unitsFor(info, pod.gpu);
      gpus.push(...this.checkedDevices(node, pod.gpu, units, devices));
    } else if (pod.gpu.kind === 'devices') {
      units = GPU_UNITS;
      for (let g = 0; g < info.gpuCount && gpus.length < pod.gpu.count; g++)
        if (this.gpuUsed[offset + g] === 0) gpus.push(g);
    } else if (pod.gpu.kind !== 'none') {
      units = this.unitsFor(info, pod.gpu);
      gpus.push(this.sharedDevice(node, units));
    }
    const binding: Binding = { node, gpus, unitsPerGpu: units, cpuMillis: pod.cpuMillis, memoryBytes: pod.memoryBytes };
    this.apply(binding, +1);
    return { ok: true, binding };
  }

  /** Returns a binding's resources. Releasing twice is a model bug and throws before changing anything. */
  release(binding: Binding): void {
    const offset = this.layout.gpuOffset[binding.node]!;
    for (const g of binding.gpus) {
      if (this.gpuUsed[offset + g]! < binding.unitsPerGpu) {
        throw new Error(
          `release of ${binding.unitsPerGpu} units on ${this.layout.nodes[binding.node]!.name} gpu ${g}: only ${this.gpuUsed[offset + g]} in use`,
        );
      }
    }
    this.apply(binding, -1);
  }

  /** Takes exactly the resources of an earlier binding again (undoing a simulated eviction). */
  restore(binding: Binding): void {
    const offset = this.layout.gpuOffset[binding.node]!;
    const room = binding.gpus.every((g) => this.gpuUsed[offset + g]! + binding.unitsPerGpu <= GPU_UNITS);
    if (
      !room ||
      this.nodeCpuFree[binding.node]! < binding.cpuMillis ||
      this.nodeMemoryFree[binding.node]! < binding.memoryBytes
    ) {
      throw new Error(
        `cannot restore a binding on ${this.layout.nodes[binding.node]!.name}: its resources were taken meanwhile`,
      );
    }
    this.apply(binding, +1);
  }

  /** A node that goes down leaves every index (nothing new lands there); its bindings are the workloads' to release. */
  setReady(node: number, ready: boolean): void {
    if ((this.nodeReady[node] === 1) === ready) return;
    this.nodeReady[node] = ready ? 1 : 0;
    const info = this.layout.nodes[node]!;
    const sign = ready ? 1 : -1;
    this.poolReadyGpus[info.pool]! += sign * info.gpuCount;
    const empty = this.nodeFreeWhole[node] === info.gpuCount ? 1 : 0;
    this.adjustDomains(info, sign * this.nodeFreeWhole[node]!, sign * this.nodeFreeUnits[node]!, sign * empty);
    this.reindexNode(node);
    this.changes[info.pool]!.push(node);
  }

  /**
   * Recomputes every aggregate from per-device usage and compares: nothing over-allocated or negative, node and
   * domain figures equal to the sum of their parts, indexes filed under the right keys. Returns the violations
   * (empty when sound); tests run it after every change.
   */
  checkInvariants(): string[] {
    const problems: string[] = [];
    const { nodes, domains, pools, gpuOffset } = this.layout;
    const whole = new Float64Array(domains.length);
    const units = new Float64Array(domains.length);
    const empty = new Float64Array(domains.length);
    for (const node of nodes) {
      let freeWhole = 0;
      let freeUnits = 0;
      for (let i = gpuOffset[node.index]!; i < gpuOffset[node.index + 1]!; i++) {
        const used = this.gpuUsed[i]!;
        if (used < 0 || used > GPU_UNITS)
          problems.push(`${node.name} gpu ${i - gpuOffset[node.index]!}: ${used} units used of ${GPU_UNITS}`);
        if (used === 0) freeWhole++;
        freeUnits += GPU_UNITS - used;
      }
      const n = node.index;
      if (this.nodeFreeWhole[n] !== freeWhole)
        problems.push(`${node.name}: free whole GPUs ${this.nodeFreeWhole[n]} != ${freeWhole}`);
      if (this.nodeFreeUnits[n] !== freeUnits)
        problems.push(`${node.name}: free GPU units ${this.nodeFreeUnits[n]} != ${freeUnits}`);
      if (!(this.nodeCpuFree[n]! >= 0 && this.nodeCpuFree[n]! <= node.cpuMillis))
        problems.push(`${node.name}: free CPU ${this.nodeCpuFree[n]} outside [0, ${node.cpuMillis}]`);
      if (!(this.nodeMemoryFree[n]! >= 0 && this.nodeMemoryFree[n]! <= node.memoryBytes))
        problems.push(`${node.name}: free memory ${this.nodeMemoryFree[n]} outside [0, ${node.memoryBytes}]`);
      const ready = this.nodeReady[n] === 1;
      const expectedKey = ready ? freeWhole : -1;
      if (this.poolNodes[node.pool]!.key(n) !== expectedKey)
        problems.push(
          `${node.name}: filed under ${this.poolNodes[node.pool]!.key(n)} free GPUs, expected ${expectedKey}`,
        );
      if (this.sharedNodes[node.pool]!.has(n) !== (ready && this.hasPartlyUsedDevice(n)))
        problems.push(`${node.name}: shared-GPU index is stale`);
      if (!ready) continue;
      for (const d of [...node.domains, pools[node.pool]!.root]) {
        whole[d]! += freeWhole;
        units[d]! += freeUnits;
        empty[d]! += freeWhole === node.gpuCount ? 1 : 0;
      }
    }
    for (const domain of domains) {
      const d = domain.id;
      if (
        this.domainFreeWhole[d] !== whole[d] ||
        this.domainFreeUnits[d] !== units[d] ||
        this.domainEmptyNodes[d] !== empty[d]
      ) {
        problems.push(
          `domain ${domain.name}: free (${this.domainFreeWhole[d]} GPUs, ${this.domainFreeUnits[d]} units, ${this.domainEmptyNodes[d]} empty nodes) != sum of its nodes (${whole[d]}, ${units[d]}, ${empty[d]})`,
        );
      }
      if (
        domain.level >= 0 &&
        this.levelDomains[domain.pool]![domain.level]!.key(d) !== Math.floor(units[d]! / GPU_UNITS)
      )
        problems.push(`domain ${domain.name}: index key is stale`);
      if (domain.level >= 0 && this.levelDomainsByEmpty[domain.pool]![domain.level]!.key(d) !== empty[d])
        problems.push(`domain ${domain.name}: empty-node index key is stale`);
    }
    return problems;
  }

  /** Everything allocated, and the indexes as they are ordered: what a restored state needs to place the same. */
  snapshot(): ClusterStateSnapshot {
    return { arrays: this.arrays().map((a) => Array.from(a)), buckets: this.buckets().map((b) => b.snapshot()) };
  }

  /** Takes the state of a snapshot of a state over the same layout. */
  restoreFrom(s: ClusterStateSnapshot): void {
    const arrays = this.arrays();
    const buckets = this.buckets();
    if (s.arrays.length !== arrays.length || arrays.some((a, i) => a.length !== s.arrays[i]!.length))
      throw new RangeError('cluster state snapshot of another layout');
    if (s.buckets.length !== buckets.length) throw new RangeError('cluster state snapshot of another layout');
    arrays.forEach((a, i) => a.set(s.arrays[i]!));
    buckets.forEach((b, i) => b.restore(s.buckets[i]!));
    // Whatever followed the nodes' changes must look at every node again.
    for (const changes of this.changes) changes.restart();
  }

  private arrays(): (Int32Array | Float64Array | Uint8Array)[] {
    return [
      this.gpuUsed,
      this.nodeFreeWhole,
      this.nodeFreeUnits,
      this.nodeCpuFree,
      this.nodeMemoryFree,
      this.nodeReady,
      this.domainFreeWhole,
      this.domainFreeUnits,
      this.domainEmptyNodes,
      this.poolReadyGpus,
      this.gpuPods,
    ];
  }

  private buckets(): BucketIndex[] {
    return [...this.poolNodes, ...this.sharedNodes, ...this.levelDomains.flat(), ...this.levelDomainsByEmpty.flat()];
  }

  /** A copy of the state (outside a trial: an open one is not carried over). */
  clone(): ClusterState {
    const copy = Object.create(ClusterState.prototype) as ClusterState;
    const moves = new MoveLog();
    Object.assign(copy, this, {
      moves,
      applied: null,
      changes: this.layout.pools.map((p) => new NodeChanges(p.nodes.length)),
      gpuUsed: this.gpuUsed.slice(),
      nodeFreeWhole: this.nodeFreeWhole.slice(),
      nodeFreeUnits: this.nodeFreeUnits.slice(),
      nodeCpuFree: this.nodeCpuFree.slice(),
      nodeMemoryFree: this.nodeMemoryFree.slice(),
      nodeReady: this.nodeReady.slice(),
      poolReadyGpus: this.poolReadyGpus.slice(),
      gpuPods: this.gpuPods.slice(),
      domainFreeWhole: this.domainFreeWhole.slice(),
      domainFreeUnits: this.domainFreeUnits.slice(),
      domainEmptyNodes: this.domainEmptyNodes.slice(),
      poolNodes: this.poolNodes.map((b) => b.clone(moves)),
      sharedNodes: this.sharedNodes.map((b) => b.clone(moves)),
      levelDomains: this.levelDomains.map((levels) => levels.map((b) => b.clone(moves))),
      levelDomainsByEmpty: this.levelDomainsByEmpty.map((levels) => levels.map((b) => b.clone(moves))),
    });
    return copy;
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private checkedDevices(node: number, gpu: GpuRequest, units: number, devices: readonly number[]): readonly number[] {
    const offset = this.layout.gpuOffset[node]!;
    const count = gpu.kind === 'none' ? 0 : gpu.kind === 'devices' ? gpu.count : 1;
    const roomy = devices.every(
      (g, i) =>
        g >= 0 &&
        g < this.layout.nodes[node]!.gpuCount &&
        devices.indexOf(g) === i &&
        this.gpuUsed[offset + g]! + units <= GPU_UNITS,
    );
    if (devices.length !== count || !roomy)
      throw new Error(`devices [${devices.join(', ')}] of ${this.layout.nodes[node]!.name} cannot take the pod`);
    return devices;
  }

  /** The device a fraction of `units` goes to: the fullest shared device it fits on, else the first free one. */
  private sharedDevice(node: number, units: number): number {
    const offset = this.layout.gpuOffset[node]!;
    const count = this.layout.nodes[node]!.gpuCount;
    let best = -1;
    let bestUsed = -1;
    let firstFree = -1;
    for (let g = 0; g < count; g++) {
      const used = this.gpuUsed[offset + g]!;
      if (used === 0) {
        if (firstFree < 0) firstFree = g;
      } else if (used + units <= GPU_UNITS && used > bestUsed) {
        best = g;
        bestUsed = used;
      }
    }
    return best >= 0 ? best : firstFree;
  }

  /** Adds (+1) or removes (-1) a binding's resources; `reindex: false` when undoing (the moves are undone apart). */
  private apply(binding: Binding, sign: 1 | -1, reindex = true): void {
    if (reindex) this.applied?.push({ binding, sign });
    const { node, gpus, unitsPerGpu } = binding;
    const offset = this.layout.gpuOffset[node]!;
    const info = this.layout.nodes[node]!;
    const wasEmpty = this.nodeFreeWhole[node] === info.gpuCount;
    let wholeDelta = 0;
    for (const g of gpus) {
      const before = this.gpuUsed[offset + g]!;
      const after = before + sign * unitsPerGpu;
      this.gpuUsed[offset + g] = after;
      wholeDelta += (after === 0 ? 1 : 0) - (before === 0 ? 1 : 0);
    }
    const unitDelta = -sign * unitsPerGpu * gpus.length;
    if (gpus.length > 0) {
      const kind = gpus.length === 1 && unitsPerGpu < GPU_UNITS ? 0 : gpus.length;
      this.gpuPods[offset + node + kind]! += sign;
    }
    this.nodeFreeWhole[node]! += wholeDelta;
    this.nodeFreeUnits[node]! += unitDelta;
    this.nodeCpuFree[node]! -= sign * binding.cpuMillis;
    this.nodeMemoryFree[node]! -= sign * binding.memoryBytes;
    const emptyDelta = (this.nodeFreeWhole[node] === info.gpuCount ? 1 : 0) - (wasEmpty ? 1 : 0);
    // Domains count only what ready nodes offer: a down node's capacity is not there to be had.
    if (this.nodeReady[node] === 1) this.adjustDomains(info, wholeDelta, unitDelta, emptyDelta, reindex);
    if (reindex) this.reindexNode(node);
    this.changes[info.pool]!.push(node);
  }

  private adjustDomains(
    info: NodeInfo,
    wholeDelta: number,
    unitDelta: number,
    emptyDelta: number,
    reindex = true,
  ): void {
    if (wholeDelta === 0 && unitDelta === 0 && emptyDelta === 0) return;
    for (let level = info.domains.length - 1; level >= -1; level--) {
      const domain = level >= 0 ? info.domains[level]! : this.layout.pools[info.pool]!.root;
      this.domainFreeWhole[domain]! += wholeDelta;
      this.domainFreeUnits[domain]! += unitDelta;
      this.domainEmptyNodes[domain]! += emptyDelta;
      if (!reindex) continue;
      if (level >= 0 && unitDelta !== 0)
        this.levelDomains[info.pool]![level]!.set(domain, Math.floor(this.domainFreeUnits[domain]! / GPU_UNITS));
      if (level >= 0 && emptyDelta !== 0)
        this.levelDomainsByEmpty[info.pool]![level]!.set(domain, this.domainEmptyNodes[domain]!);
    }
  }

  private reindexNode(node: number): void {
    const info = this.layout.nodes[node]!;
    const ready = this.nodeReady[node] === 1;
    this.poolNodes[info.pool]!.set(node, ready ? this.nodeFreeWhole[node]! : -1);
    const partlyUsed = this.hasPartlyUsedDevice(node);
    this.sharedNodes[info.pool]!.set(node, ready && partlyUsed ? 0 : -1);
  }

  private hasPartlyUsedDevice(node: number): boolean {
    const offset = this.layout.gpuOffset[node]!;
    const end = this.layout.gpuOffset[node + 1]!;
    for (let i = offset; i < end; i++) {
      const used = this.gpuUsed[i]!;
      if (used > 0 && used < GPU_UNITS) return true;
    }
    return false;
  }
}
