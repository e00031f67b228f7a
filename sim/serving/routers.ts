// Routers: which replica a request goes to. A named table of small functions, as the latency models are.
import { finalise } from '../config/stable-uuid.ts';
import type { Replica } from './replica.ts';
import type { Request } from './request.ts';

/** The router's own memory across requests: a round-robin counter, a hash ring. */
export interface RouterState {
  next: number;
  ring?: { readonly points: Float64Array; readonly owners: Int32Array; readonly replicas: number };
}

/** Picks the index of a replica that is up for `request`; -1 when none is. */
export type Router = (replicas: readonly Replica[], request: Request, state: RouterState) => number;

/** A 32-bit integer hash: spreads consecutive ids over the ring. */
const mix = (x: number): number => finalise(x | 0);

const POINTS_PER_REPLICA = 64;
/** The key is the first two prefix blocks: past a shared system prompt, they tell conversations apart (on the Mooncake
 * trace, 4 replicas: 18% of prompt tokens hit the cache keyed on two blocks, 9% on one, 17% on four). */
const AFFINITY_BLOCKS = 2;
/** A replica may take up to 25% more than the mean outstanding before its keys spill to the next on the ring. */
const LOAD_BOUND = 1.25;

function ring(replicas: number): NonNullable<RouterState['ring']> {
  const entries: [number, number][] = [];
  for (let r = 0; r < replicas; r++)
    for (let v = 0; v < POINTS_PER_REPLICA; v++) entries.push([mix(r * 7919 + v * 104_729 + 1), r]);
  entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return {
    points: Float64Array.from(entries, (e) => e[0]),
    owners: Int32Array.from(entries, (e) => e[1]),
    replicas,
  };
}

/**
 * Consistent hashing of the prompt's first prefix block with bounded loads (Mirrokni, Thorup and Zadimoghaddam):
 * requests sharing a prefix land on the replica that caches it, unless it is already 25% above the mean load.
 */
function prefixAffinity(replicas: readonly Replica[], request: Request, state: RouterState): number {
  const blocks = request.prefixBlocks;
  if (blocks === undefined || blocks.length === 0) return leastBy(replicas, (r) => r.outstanding);
  // A replica added since (a scale-up) takes its points; the others keep theirs, as consistent hashing promises.
  if (state.ring?.replicas !== replicas.length) state.ring = ring(replicas.length);
  const { points, owners } = state.ring;
  let key = 0;
  for (let i = 0; i < Math.min(AFFINITY_BLOCKS, blocks.length); i++) key = mix(key * 31 + blocks[i]!);
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  let total = 0;
  let up = 0;
  for (const r of replicas)
    if (r.up) {
      total += r.outstanding;
      up++;
    }
  if (up === 0) return -1;
  const bound = Math.max(1, Math.ceil((LOAD_BOUND * (total + 1)) / up));
  let first = -1;
  for (let i = 0; i < points.length; i++) {
    const owner = owners[(lo + i) % points.length]!;
    if (!replicas[owner]!.up) continue;
    if (replicas[owner]!.outstanding < bound) return owner;
    if (first < 0) first = owner;
  }
  return first;
}

function leastBy(replicas: readonly Replica[], load: (r: Replica) => number): number {
  let best = -1;
  let bestLoad = Infinity;
  for (let i = 0; i < replicas.length; i++) {
    if (!replicas[i]!.up) continue;
    const l = load(replicas[i]!);
    if (l < bestLoad) [best, bestLoad] = [i, l];
  }
  return best;
}

/** The next replica that is up after the last one given. */
function roundRobin(replicas: readonly Replica[], _request: Request, state: RouterState): number {
  for (let i = 0; i < replicas.length; i++) {
    const index = state.next++ % replicas.length;
    if (replicas[index]!.up) return index;
  }
  return -1;
}

export const ROUTERS = {
  'round-robin': roundRobin,
  'least-outstanding': (replicas) => leastBy(replicas, (r) => r.outstanding),
  'least-kv': (replicas) => leastBy(replicas, (r) => r.usedBlocks / r.totalBlocks + r.waitingCount),
  'prefix-affinity': prefixAffinity,
} as const satisfies Record<string, Router>;

export type RouterName = keyof typeof ROUTERS;

export function isRouterName(value: string): value is RouterName {
  return Object.hasOwn(ROUTERS, value);
}
