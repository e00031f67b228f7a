import type { SchemaObject } from 'ajv';
import { SchemaCheck } from '../config/schema-check.ts';
import type { ConfigError, PathSegment, SourceDocument } from '../config/source-document.ts';
import { parseDuration } from '../engine/index.ts';
import type { DelaySpec, LifecycleDelays } from './delays.ts';

/** A delay as files write it: `{ median: 2m, p90: 5m }`; p90 defaults to the median. */
export const DELAY_SPEC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['median'],
  properties: { median: { type: ['string', 'number'] }, p90: { type: ['string', 'number'] } },
} as const;

/** The `delays:` block of a cluster or scenario file: any of the lifecycle's steps. */
export const DELAYS_BLOCK_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    imagePull: DELAY_SPEC_SCHEMA,
    containerStart: DELAY_SPEC_SCHEMA,
    modelLoad: DELAY_SPEC_SCHEMA,
    termination: DELAY_SPEC_SCHEMA,
  },
};

export interface RawDelaySpec {
  median: string | number;
  p90?: string | number;
}
export type RawDelays = Partial<Record<keyof LifecycleDelays, RawDelaySpec>>;

/** Where a reader reports a problem: a path (relative to what it reads) and a message. */
export type ReportProblem = (path: PathSegment[], message: string) => void;

/** A delay in seconds from its file form (already shape-checked); problems go to `report`. */
export function readDelaySpec(raw: RawDelaySpec, at: PathSegment[], report: ReportProblem): DelaySpec {
  const seconds = (value: string | number, path: PathSegment[]): number => {
    const parsed = parseDuration(value);
    if (parsed.ok) return parsed.value / 1e6;
    report(path, parsed.reason);
    return 0;
  };
  const median = seconds(raw.median, [...at, 'median']);
  const p90 = raw.p90 === undefined ? median : seconds(raw.p90, [...at, 'p90']);
  if (p90 < median) report([...at, 'p90'], 'must not be below the median');
  return { median, p90 };
}

/** Every lifecycle delay: the block's where it states one, else `base`'s (shape-checked already). */
export function readDelays(
  raw: RawDelays | undefined,
  base: LifecycleDelays,
  at: PathSegment[],
  report: ReportProblem,
): LifecycleDelays {
  const pick = (key: keyof LifecycleDelays): DelaySpec => {
    const stated = raw?.[key];
    return stated ? readDelaySpec(stated, [...at, key], report) : base[key];
  };
  return {
    imagePull: pick('imagePull'),
    containerStart: pick('containerStart'),
    modelLoad: pick('modelLoad'),
    termination: pick('termination'),
  };
}

const schemaCheck = new SchemaCheck(DELAYS_BLOCK_SCHEMA);

export type DelaysBlockResult = { ok: true; delays: LifecycleDelays } | { ok: false; errors: ConfigError[] };

/** Reads a `delays:` block found at `at` in `source` over `base` (undefined: no block, `base` itself). */
export function readDelaysBlock(
  value: unknown,
  base: LifecycleDelays,
  source: SourceDocument,
  at: readonly PathSegment[],
): DelaysBlockResult {
  if (value === undefined) return { ok: true, delays: base };
  const schemaErrors = schemaCheck.check(value, source, at);
  if (schemaErrors.length > 0) return { ok: false, errors: schemaErrors };
  const errors: ConfigError[] = [];
  const delays = readDelays(value as RawDelays, base, [], (path, message) =>
    errors.push(source.errorAt([...at, ...path], message)),
  );
  return errors.length > 0 ? { ok: false, errors } : { ok: true, delays };
}
