/**
 * `GET /api/v1/workloads` and `/count`: filterBy, search, sortBy, sortOrder, offset and limit, applied to the
 * presented `Workload` objects exactly as the contract's parameters define them.
 */

import type { ListQuery } from './listing.ts';

type Json = Record<string, unknown>;

/** The workloads listing's parameters: the platform's list parameters (listing.ts). */
export type WorkloadQuery = ListQuery;

type Operator = '==' | '!=' | '<=' | '>=' | '=@' | '!@' | '=^' | '=$';
const FILTER = /^([A-Za-z]+)(==|!=|<=|>=|=@|!@|=\^|=\$)(.+)$/;

const DATE_FIELDS = new Set(['createdAt', 'deletedAt', 'completedAt', 'phaseUpdatedAt', 'guaranteedRuntimeEndsAt']);
const NUMBER_FIELDS = new Set([
  'allocatedGPU',
  'idleGpus',
  'idleAllocatedGpus',
  'totalPendingTimeSeconds',
  'totalRunningTimeSeconds',
  'priority',
]);

/** A filter or sort field's value on a presented workload (names as the contract's filterBy/sortBy enums). */
export function fieldValue(w: Json, field: string): string | number | null | readonly string[] {
  switch (field) {
    case 'nodepool':
      return (w.currentNodePools as string[] | undefined)?.length
        ? (w.currentNodePools as string[])
        : ((w.requestedNodePools as string[] | undefined) ?? []);
    case 'allocatedGPU':
      return ((w.allocatedResources as { gpu?: number } | null)?.gpu ?? 0) as number;
    case 'idleGpus':
    case 'idleAllocatedGpus':
      return 0;
    case 'guaranteedRuntimeEndsAt':
    case 'aiApplicationId':
    case 'aiApplicationName':
    case 'completedAt':
      return (w[field] as string | null | undefined) ?? null;
    default: {
      const value = w[field];
      return typeof value === 'string' || typeof value === 'number' ? value : value == null ? null : String(value);
    }
  }
}

export type ParsedFilter = { field: string; operator: Operator; value: string };

export function parseFilter(text: string): ParsedFilter | undefined {
  const match = FILTER.exec(text);
  return match ? { field: match[1]!, operator: match[2] as Operator, value: match[3]! } : undefined;
}

function matches(w: Json, filter: ParsedFilter): boolean {
  const actual = fieldValue(w, filter.field);
  if (Array.isArray(actual)) return actual.some((one) => compare(filter.field, one, filter));
  return compare(filter.field, actual as string | number | null, filter);
}

function compare(field: string, actual: string | number | null, filter: ParsedFilter): boolean {
  return compareAs(DATE_FIELDS.has(field) ? 'date' : NUMBER_FIELDS.has(field) ? 'number' : 'text', actual, filter);
}

/**
 * Whether a field's value passes a filter: dates and numbers compare as such, text case-insensitively; a missing
 * value passes only the negative operators.
 */
export function compareAs(
  kind: 'date' | 'number' | 'text',
  actual: string | number | null,
  { operator, value }: ParsedFilter,
): boolean {
  if (actual === null) return operator === '!=' || operator === '!@';
  if (kind !== 'text') {
    const a = kind === 'date' ? Date.parse(String(actual)) : Number(actual);
    const b = kind === 'date' ? Date.parse(value) : Number(value);
    if (Number.isNaN(b)) return operator === '!=';
    switch (operator) {
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '<=':
        return a <= b;
      case '>=':
        return a >= b;
      default:
        break;
    }
  }
  const a = String(actual).toLowerCase();
  const b = value.toLowerCase();
  switch (operator) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    case '=@':
      return a.includes(b);
    case '!@':
      return !a.includes(b);
    case '=^':
      return a.startsWith(b);
    case '=$':
      return a.endsWith(b);
  }
}

const SEARCHED = ['name', 'projectName', 'departmentName', 'submittedBy', 'phase', 'type', 'id'] as const;

/** Filters and searches: what both the list and the count see. */
export function selectWorkloads(all: readonly Json[], query: WorkloadQuery): Json[] {
  const filters = (query.filterBy ?? []).map((f) => parseFilter(f)!).filter((f) => f !== undefined);
  const search = query.search?.trim().toLowerCase();
  return all.filter(
    (w) =>
      filters.every((f) => matches(w, f)) &&
      (!search ||
        SEARCHED.some((field) =>
          String(w[field] ?? '')
            .toLowerCase()
            .includes(search),
        )),
  );
}

/** Sorts (stable; nulls last) and pages. `next` is the offset of the following page when there is one. */
export function pageWorkloads(selected: readonly Json[], query: WorkloadQuery): { workloads: Json[]; next?: number } {
  const sorted = [...selected];
  if (query.sortBy) {
    const field = query.sortBy;
    const sign = query.sortOrder === 'desc' ? -1 : 1;
    sorted.sort((x, y) => {
      const a = sortKey(field, x);
      const b = sortKey(field, y);
      if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
      return (a < b ? -1 : a > b ? 1 : 0) * sign;
    });
  } else if (query.sortOrder === 'desc') {
    sorted.reverse();
  }
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 50;
  const page = sorted.slice(offset, offset + limit);
  return offset + limit < sorted.length ? { workloads: page, next: offset + limit } : { workloads: page };
}

function sortKey(field: string, w: Json): string | number | null {
  const value = fieldValue(w, field);
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  if (DATE_FIELDS.has(field)) return Date.parse(String(value));
  return typeof value === 'string' ? value.toLowerCase() : (value as number);
}
