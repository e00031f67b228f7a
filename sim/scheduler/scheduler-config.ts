import type { SchemaObject } from 'ajv';
import { SchemaCheck } from '../config/schema-check.ts';
import type { ConfigError, PathSegment, SourceDocument } from '../config/source-document.ts';
import { parseDuration, type Micros } from '../engine/index.ts';

/** The actions lwsim implements, by the names a cluster file's `scheduler.actions` uses. */
export const SCHEDULER_ACTION_NAMES = ['allocate', 'reclaim', 'preempt'] as const;
export type SchedulerActionName = (typeof SCHEDULER_ACTION_NAMES)[number];

/** The scheduler's tunables: how often it runs, what each cycle does, and how hard placement searches. */
export interface SchedulerConfig {
  /** How often a cycle runs when something changed: at the next whole multiple of this. */
  readonly period: Micros;
  /** The actions of one cycle, in order, each at most once. */
  readonly actions: readonly SchedulerActionName[];
  /** Preferred (not required) topology: candidate domains tried per level before widening to the next. */
  readonly preferredDomainTries: number;
  /** Preferred topology: domains looked at per level to find those candidates. */
  readonly preferredDomainScan: number;
}

/**
 * KAI's defaults where KAI has them: a one-second cycle, and its action order (allocate, consolidation, reclaim,
 * preempt, stale-gang eviction) without the two lwsim has no use for yet: it places gangs whole, so a stale gang
 * never exists, and consolidation is not written.
 */
export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = {
  period: 1_000_000,
  actions: ['allocate', 'reclaim', 'preempt'],
  preferredDomainTries: 32,
  preferredDomainScan: 256,
};

const budget = { type: 'integer', minimum: 1, maximum: 1_000_000 } as const;

/** The `scheduler:` block of a cluster file; every key is optional (the default stands). */
export const SCHEDULER_BLOCK_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    period: { type: ['string', 'number'] },
    // Names are checked after the schema, so an unknown or repeated one gets its own message.
    actions: { type: 'array', minItems: 1, items: { type: 'string' } },
    search: {
      type: 'object',
      additionalProperties: false,
      properties: { preferredDomainTries: budget, preferredDomainScan: budget },
    },
  },
};

const schemaCheck = new SchemaCheck(SCHEDULER_BLOCK_SCHEMA);

interface RawSchedulerBlock {
  period?: string | number;
  actions?: string[];
  search?: { preferredDomainTries?: number; preferredDomainScan?: number };
}

export type SchedulerConfigResult = { ok: true; config: SchedulerConfig } | { ok: false; errors: ConfigError[] };

/** Reads a `scheduler:` block found at `at` in `source` (undefined: no block, every default). */
export function readSchedulerBlock(
  value: unknown,
  source: SourceDocument,
  at: readonly PathSegment[],
): SchedulerConfigResult {
  if (value === undefined) return { ok: true, config: DEFAULT_SCHEDULER_CONFIG };
  const schemaErrors = schemaCheck.check(value, source, at);
  if (schemaErrors.length > 0) return { ok: false, errors: schemaErrors };
  const raw = value as RawSchedulerBlock;
  const errors: ConfigError[] = [];
  const error = (path: PathSegment[], message: string): void =>
    void errors.push(source.errorAt([...at, ...path], message));
  let period = DEFAULT_SCHEDULER_CONFIG.period;
  if (raw.period !== undefined) {
    const parsed = parseDuration(raw.period);
    if (!parsed.ok) error(['period'], parsed.reason);
    else if (parsed.value <= 0) error(['period'], 'must be longer than 0');
    else period = parsed.value;
  }
  const actions: SchedulerActionName[] = [];
  (raw.actions ?? DEFAULT_SCHEDULER_CONFIG.actions).forEach((name, i) => {
    if (!isSchedulerActionName(name))
      error(['actions', i], `unknown action "${name}" (actions: ${SCHEDULER_ACTION_NAMES.join(', ')})`);
    else if (actions.includes(name)) error(['actions', i], `action "${name}" is listed twice`);
    else actions.push(name);
  });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      period,
      actions,
      preferredDomainTries: raw.search?.preferredDomainTries ?? DEFAULT_SCHEDULER_CONFIG.preferredDomainTries,
      preferredDomainScan: raw.search?.preferredDomainScan ?? DEFAULT_SCHEDULER_CONFIG.preferredDomainScan,
    },
  };
}

export function isSchedulerActionName(value: string): value is SchedulerActionName {
  return (SCHEDULER_ACTION_NAMES as readonly string[]).includes(value);
}
