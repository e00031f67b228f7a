/**
 * The platform contract's list parameters over presented objects: `filterBy` (`field<op>value`, every filter must
 * pass), `search` (in the name), `sortBy` / `sortOrder`, `offset` / `limit` (default 50, `next` when more follow).
 */
import { compareAs, parseFilter } from './workload-query.ts';

type Json = Record<string, unknown>;

export interface ListQuery {
  readonly filterBy?: readonly string[];
  readonly search?: string;
  readonly sortBy?: string;
  readonly sortOrder?: 'asc' | 'desc';
  readonly offset?: number;
  readonly limit?: number;
}

/** How a listing reads a field of an item, and how it compares. */
export interface ListFields {
  value(item: Json, field: string): string | number | null;
  kind(field: string): 'date' | 'number' | 'text';
}

/** The items the filters and search keep: what both a list and its count see. */
export function selectItems(items: readonly Json[], query: ListQuery, fields: ListFields): Json[] {
  const filters = (query.filterBy ?? []).flatMap((f) => parseFilter(f) ?? []);
  const search = query.search?.trim().toLowerCase();
  return items.filter(
    (item) =>
      filters.every((f) => compareAs(fields.kind(f.field), fields.value(item, f.field), f)) &&
      (!search || String(item.name).toLowerCase().includes(search)),
  );
}

/** Sorted (stable) and paged. */
export function pageItems(
  items: readonly Json[],
  query: ListQuery,
  fields: ListFields,
): { page: Json[]; next?: number } {
  const sorted = [...items];
  if (query.sortBy !== undefined) {
    const field = query.sortBy;
    sorted.sort((x, y) => {
      const a = fields.value(x, field) ?? '';
      const b = fields.value(y, field) ?? '';
      return a < b ? -1 : a > b ? 1 : 0;
    });
  }
  if (query.sortOrder === 'desc') sorted.reverse();
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 50;
  const page = sorted.slice(offset, offset + limit);
  return offset + limit < sorted.length ? { page, next: offset + limit } : { page };
}
