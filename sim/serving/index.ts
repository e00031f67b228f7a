// The request-level serving simulation: replicas' engines, routing, load and the client's metrics.
export * from './arrivals.ts';
export * from './distribution.ts';
export * from './latency-histogram.ts';
export * from './metrics-series.ts';
export * from './metrics.ts';
export * from './prefix-cache.ts';
export * from './replica.ts';
export * from './request.ts';
export * from './routers.ts';
export * from './series.ts';
export * from './simulate.ts';
export * from './traces.ts';
export * from './traffic.ts';
