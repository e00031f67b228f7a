// Capacity search: the cheapest deployment meeting an SLO, by simulation.
export * from './prices.ts';
export * from './search.ts';
export * from './slo.ts';
export * from './deploy.ts';
