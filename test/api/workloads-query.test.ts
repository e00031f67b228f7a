import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractAjv } from '../../src/contract/ajv.ts';
import { querySchema } from '../../src/contract/contract.ts';
import { splitDelimited } from '../../src/contract/delimited-query.ts';
import { contractRoute } from '../../src/contract/fastify-contract.ts';
import { validationMessage } from '../../src/contract/validation-message.ts';
import { request, startServer, type TestServer } from './support/server.ts';

// The validator fastify uses for query strings: values coerced to the declared types, defaults filled in.
const validateQuery = contractAjv('parameters').compile(querySchema('get_workloads')!);

/** The query after validation, or the 400 message. */
function check(query: Record<string, unknown>): { query: Record<string, unknown> } | { message: string } {
  const copy = { ...query };
  if (validateQuery(copy)) return { query: copy };
  return { message: validationMessage(validateQuery.errors ?? [], 'querystring').message };
}

const FILTER_PATTERN = new RegExp(
  (querySchema('get_workloads')!.properties as { filterBy: { items: { pattern: string } } }).filterBy.items.pattern,
  'u',
);

describe('get_workloads query parameters', () => {
  it('states the contract: names, types, bounds, enums and defaults', () => {
    const schema = querySchema('get_workloads')!;
    expect(Object.keys(schema.properties as object)).toEqual([
      'deleted',
      'offset',
      'limit',
      'sortOrder',
      'sortBy',
      'filterBy',
      'search',
    ]);
    expect(schema.required).toBeUndefined();
    expect(schema.properties).toMatchObject({
      deleted: { type: 'boolean' },
      offset: { type: 'integer', format: 'int32' },
      limit: { type: 'integer', format: 'int32', default: 50, minimum: 1, maximum: 500 },
      sortOrder: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
      sortBy: { type: 'string' },
      filterBy: { type: 'array', items: { type: 'string' } },
      search: { type: 'string' },
    });
    expect((schema.properties as { sortBy: { enum: string[] } }).sortBy.enum).toHaveLength(26);
  });

  it('fills in limit=50 and sortOrder=asc when absent', () => {
    expect(check({})).toEqual({ query: { limit: 50, sortOrder: 'asc' } });
  });

  it('coerces text to the declared types', () => {
    expect(
      check({ limit: '10', offset: '20', deleted: 'true', sortOrder: 'desc', sortBy: 'createdAt', search: 'llama' }),
    ).toEqual({
      query: { limit: 10, offset: 20, deleted: true, sortOrder: 'desc', sortBy: 'createdAt', search: 'llama' },
    });
    expect(check({ deleted: 'false' })).toMatchObject({ query: { deleted: false } });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ limit: '0' }, 'limit: must be >= 1'],
    [{ limit: '501' }, 'limit: must be <= 500'],
    [{ limit: 'ten' }, 'limit: must be integer'],
    [{ limit: '2.5' }, 'limit: must be integer'],
    [{ offset: '2147483648' }, 'offset: must match format "int32"'],
    [{ deleted: 'yes' }, 'deleted: must be boolean'],
    [{ sortOrder: 'up' }, 'sortOrder: must be one of "asc", "desc"'],
    [{ sortBy: 'gpu' }, 'sortBy: must be one of "type", "name", "clusterId"'],
    [{ sortBy: ['name', 'phase'] }, 'sortBy: must be string'],
    [{ filterBy: ['bogus'] }, 'filterBy[0]: must match pattern'],
    [{ filterBy: ['name==a', 'phase~Running'] }, 'filterBy[1]: must match pattern'],
  ])('rejects %j: %s', (query, expected) => {
    const result = check(query);
    expect('message' in result && result.message.startsWith(expected), JSON.stringify(result)).toBe(true);
  });

  it('accepts a negative offset: the contract sets no minimum for it', () => {
    expect(check({ offset: '-5' })).toMatchObject({ query: { offset: -5 } });
  });

  it('accepts every sortBy value and filter operator the contract lists', () => {
    const sortBy = (querySchema('get_workloads')!.properties as { sortBy: { enum: string[] } }).sortBy.enum;
    for (const field of sortBy) expect(check({ sortBy: field })).toHaveProperty('query');
    for (const op of ['==', '!=', '<=', '>=', '=@', '!@', '=^', '=$'])
      expect(check({ filterBy: [`name${op}llama`] })).toHaveProperty('query');
  });
});

describe('filterBy: an explode=false (comma-separated) array', () => {
  it('splits on commas, keeping a comma that is part of a value', () => {
    expect(splitDelimited('name==llama,phase!=Failed', FILTER_PATTERN)).toEqual(['name==llama', 'phase!=Failed']);
    expect(splitDelimited('name=@a,b,phase==Running', FILTER_PATTERN)).toEqual(['name=@a,b', 'phase==Running']);
    expect(splitDelimited('createdAt>=2025-01-01T00:00:00Z', FILTER_PATTERN)).toEqual([
      'createdAt>=2025-01-01T00:00:00Z',
    ]);
    expect(splitDelimited('', FILTER_PATTERN)).toEqual([]);
    expect(splitDelimited('a,b')).toEqual(['a', 'b']);
  });
});

describe('get_workloads query through a fastify route built from the contract', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      routes: (app) => {
        app.route(
          contractRoute('get_workloads', async (req) => ({ workloads: [], seen: req.query }), { responses: false }),
        );
        app.route(
          contractRoute('count_workloads', async (req) => ({ count: 0, seen: req.query }), { responses: false }),
        );
      },
    });
  });
  afterAll(() => server.close());

  it('hands the handler split, coerced and defaulted values', async () => {
    const query = new URLSearchParams({ filterBy: 'name=@llama,phase==Running', limit: '20', deleted: 'false' });
    const res = await request(`${server.url}/api/v1/workloads?${query}&filterBy=projectName==research`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      workloads: [],
      seen: {
        filterBy: ['name=@llama', 'phase==Running', 'projectName==research'],
        limit: 20,
        deleted: false,
        sortOrder: 'asc',
      },
    });
  });

  it('answers 400 in the error body for an invalid parameter', async () => {
    const res = await request(`${server.url}/api/v1/workloads?limit=1000`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 400, message: 'limit: must be <= 500' });
    const filter = await request(`${server.url}/api/v1/workloads?filterBy=gpus>4`);
    expect(filter.status).toBe(400);
    expect((filter.body as { message: string }).message).toMatch(/^filterBy\[0\]: must match pattern/);
  });

  it('gives count_workloads its own parameters: no limit default', async () => {
    const res = await request(`${server.url}/api/v1/workloads/count?deleted=true&search=x`);
    expect(res.body).toEqual({ count: 0, seen: { deleted: true, search: 'x' } });
  });
});
