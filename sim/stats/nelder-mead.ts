// Nelder–Mead simplex minimisation: derivative-free, deterministic, enough for fits of a handful of parameters.

export interface Minimum {
  readonly x: readonly number[];
  readonly value: number;
  readonly iterations: number;
}

/**
 * Minimises `f` from `start`, the initial simplex stepping each coordinate by `step` (10% of it, or 0.1 at 0).
 * Standard coefficients (reflect 1, expand 2, contract ½, shrink ½); stops when the simplex's values agree within
 * `tolerance` or after `maxIterations`.
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  { maxIterations = 4000, tolerance = 1e-10, step }: { maxIterations?: number; tolerance?: number; step?: number } = {},
): Minimum {
  const n = start.length;
  const simplex: number[][] = [start.slice()];
  for (let i = 0; i < n; i++) {
    const x = start.slice();
    x[i] = x[i]! + (step ?? (x[i] !== 0 ? 0.1 * x[i]! : 0.1));
    simplex.push(x);
  }
  let values = simplex.map(f);
  let iterations = 0;
  const along = (from: number[], to: number[], t: number): number[] => from.map((v, i) => v + t * (to[i]! - v));
  for (; iterations < maxIterations; iterations++) {
    const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
    const sorted = order.map((i) => simplex[i]!);
    values = order.map((i) => values[i]!);
    simplex.splice(0, simplex.length, ...sorted);
    if (Math.abs(values[n]! - values[0]!) <= tolerance * (Math.abs(values[0]!) + tolerance)) break;
    const centroid = Array.from({ length: n }, (_, j) => simplex.slice(0, n).reduce((s, x) => s + x[j]!, 0) / n);
    const worst = simplex[n]!;
    const reflected = along(centroid, worst, -1);
    const fr = f(reflected);
    if (fr < values[0]!) {
      const expanded = along(centroid, worst, -2);
      const fe = f(expanded);
      [simplex[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[n - 1]!) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = fr < values[n]! ? along(centroid, reflected, 0.5) : along(centroid, worst, 0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, values[n]!)) {
        [simplex[n], values[n]] = [contracted, fc];
      } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = along(simplex[0]!, simplex[i]!, 0.5);
          values[i] = f(simplex[i]!);
        }
      }
    }
  }
  const best = values.indexOf(Math.min(...values));
  return { x: simplex[best]!, value: values[best]!, iterations };
}
