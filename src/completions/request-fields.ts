// Reading the original Run:ai creation body kept on a workload (`WorkloadState.request`, JSON text the model
// treats as opaque; parsed, it is `unknown`): small total accessors instead of casts.

/** `value[key]` when `value` is a non-null object, else undefined. */
export function fieldOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The value at a path of keys, or undefined as soon as one step is missing or not an object. */
export function pathOf(value: unknown, ...keys: readonly string[]): unknown {
  return keys.reduce<unknown>((at, key) => fieldOf(at, key), value);
}

/** The strings of an array value (other items dropped); [] when not an array. */
export function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
