// Error measures of a fit: what the calibration minimises and what BENCHMARKS.md reports.

/** Mean absolute percentage error of predictions against measurements, in percent. */
export function mape(pairs: readonly { readonly predicted: number; readonly measured: number }[]): number {
  if (pairs.length === 0) return NaN;
  return (100 * pairs.reduce((s, p) => s + Math.abs(p.predicted - p.measured) / p.measured, 0)) / pairs.length;
}

/** Mean squared log ratio: symmetric in over- and under-prediction, what the fits minimise. */
export function logLoss(pairs: readonly { readonly predicted: number; readonly measured: number }[]): number {
  if (pairs.length === 0) return 0;
  return pairs.reduce((s, p) => s + Math.log(p.predicted / p.measured) ** 2, 0) / pairs.length;
}

/** A positive parameter searched in log space. */
export const positive = (x: number): number => Math.exp(x);
/** A parameter in (0, 1) searched through the logistic function. */
export const fraction = (x: number): number => 1 / (1 + Math.exp(-x));
export const logit = (p: number): number => Math.log(p / (1 - p));
