/**
 * Run:ai priority classes (Run:ai docs, "Workload priority and preemption"): higher runs first inside a project;
 * without an explicit preemptibility, priority >= 100 means non-preemptible.
 */
export const PRIORITY_CLASSES = {
  'very-low': 25,
  low: 40,
  'medium-low': 65,
  medium: 80,
  'medium-high': 90,
  high: 125,
  'very-high': 150,
} as const;

export type PriorityClassName = keyof typeof PRIORITY_CLASSES;
export type Preemptibility = 'preemptible' | 'non-preemptible';

export const NON_PREEMPTIBLE_THRESHOLD = 100;

/** Defaults per workload kind: inference is very-high and non-preemptible; training is low and preemptible. */
export const DEFAULT_PRIORITY_CLASS = { inference: 'very-high', training: 'low' } as const satisfies Record<
  string,
  PriorityClassName
>;

export function isPriorityClassName(value: string): value is PriorityClassName {
  return Object.hasOwn(PRIORITY_CLASSES, value);
}

export interface ResolvedPriority {
  readonly className: PriorityClassName;
  readonly priority: number;
  readonly preemptible: boolean;
}

/** The explicit preemptibility wins; otherwise the class's value decides. */
export function resolvePriority(
  className: PriorityClassName,
  preemptibility?: Preemptibility | null,
): ResolvedPriority {
  const priority = PRIORITY_CLASSES[className];
  const preemptible = preemptibility ? preemptibility === 'preemptible' : priority < NON_PREEMPTIBLE_THRESHOLD;
  return { className, priority, preemptible };
}
