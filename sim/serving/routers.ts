// Routers: which replica a request goes to. A named table of small functions, as the latency models are.
import type { Replica } from './replica.ts';
import type { Request } from './request.ts';

/** Picks a replica index for `request`; `state` is the router's own counter (round-robin). */
export type Router = (replicas: readonly Replica[], request: Request, state: { next: number }) => number;

function leastBy(replicas: readonly Replica[], load: (r: Replica) => number): number {
  let best = 0;
  let bestLoad = Infinity;
  for (let i = 0; i < replicas.length; i++) {
    const l = load(replicas[i]!);
    if (l < bestLoad) [best, bestLoad] = [i, l];
  }
  return best;
}

export const ROUTERS = {
  'round-robin': (replicas, _request, state) => state.next++ % replicas.length,
  'least-outstanding': (replicas) => leastBy(replicas, (r) => r.outstanding),
  'least-kv': (replicas) => leastBy(replicas, (r) => r.usedBlocks / r.totalBlocks + r.waitingCount),
} as const satisfies Record<string, Router>;

export type RouterName = keyof typeof ROUTERS;

export function isRouterName(value: string): value is RouterName {
  return Object.hasOwn(ROUTERS, value);
}
