// A fuzz of every route of the server's own OpenAPI document: requests generated from each operation's schemas
// (valid ones, and valid ones broken in one place, and arbitrary JSON), any method on any path, odd headers.
// No answer may be a 5xx or take longer than the deadline, and the workloads left are exactly those that 2xx
// answers created and did not delete.
import fc from 'fast-check';
import { serverOpenApiDocument } from '../src/api/openapi-document.ts';
import { call, CLUSTER_ID, DI, TOKEN, USER_TOKEN, type Answer } from './server-process.ts';
import { listWorkloads } from './kill-rounds.ts';

type Schema = Record<string, any>;

export interface FuzzResult {
  readonly requests: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly fiveHundreds: number;
  /**
   * 503s with Retry-After from a serving endpoint whose workload is not Running yet: the documented answer (a
   * Service with no ready endpoint answers so too), counted apart from failures.
   */
  readonly notServingYet: number;
  readonly hangs: number;
  readonly slowestMs: number;
  /** Workloads whose presence disagrees with the 2xx answers. */
  readonly stateMismatches: number;
  readonly examples: readonly string[];
  /** The requests that took longest, slowest first: what a slow probe overlapped. */
  readonly slowest: readonly string[];
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export async function fuzz(url: string, requests: number, seed: number, concurrency = 8): Promise<FuzzResult> {
  const doc = serverOpenApiDocument() as { paths: Record<string, Record<string, Schema>>; components: Schema };
  const resolve = (schema: Schema): Schema => {
    let s = schema;
    for (let i = 0; s?.$ref !== undefined && i < 10; i++)
      s = s.$ref
        .split('/')
        .slice(1)
        .reduce((at: Schema, key: string) => at[key], doc);
    return s;
  };
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
  const created = new Set<string>();
  const deleted = new Set<string>();
  const byStatus: Record<string, number> = {};
  const examples: string[] = [];
  let fiveHundreds = 0;
  let notServingYet = 0;
  let hangs = 0;
  let slowestMs = 0;
  let next = 0;
  const ids: string[] = [];
  const slow: [number, string][] = [];
  const arbitrary = requestArbitrary(operations, resolve, ids);

  const worker = async (): Promise<void> => {
    for (let i = next++; i < requests; i = next++) {
      const request = fc.sample(arbitrary, { numRuns: 1, seed: seed + i })[0]!;
      const answer: Answer = await call(url, request.method, request.path, request.body, {
        token: request.token,
        contentType: request.contentType,
        timeoutMs: 10_000,
      });
      byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
      slowestMs = Math.max(slowestMs, answer.ms);
      if (answer.ms > 50) slow.push([answer.ms, `${request.method} ${request.path.slice(0, 80)} ${answer.status}`]);
      if (answer.status === 0) hangs++;
      const notServing = answer.status === 503 && /it serves once Running/.test(JSON.stringify(answer.body));
      if (notServing) notServingYet++;
      else if (answer.status >= 500) fiveHundreds++;
      if ((answer.status === 0 || (answer.status >= 500 && !notServing)) && examples.length < 10)
        examples.push(
          `${request.method} ${request.path} -> ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`,
        );
      const workloadId = (answer.body as { workloadId?: unknown } | undefined)?.workloadId;
      if (request.method === 'POST' && request.path === DI && answer.status === 202 && typeof workloadId === 'string') {
        created.add(workloadId);
        ids.push(workloadId);
      }
      const target = /^\/api\/v1\/workloads\/distributed-inferences\/([^/?]+)$/.exec(request.path)?.[1];
      if (request.method === 'DELETE' && target !== undefined && answer.status < 300)
        deleted.add(decodeURIComponent(target));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  const listed = await listWorkloads(url);
  let stateMismatches = 0;
  for (const id of created) {
    const present = listed.has(id) && listed.get(id)![2] !== 'Deleting';
    if (present === deleted.has(id)) {
      stateMismatches++;
      if (examples.length < 10) examples.push(`workload ${id}: ${present ? 'present though deleted' : 'missing'}`);
    }
  }
  for (const id of listed.keys())
    if (!created.has(id)) {
      stateMismatches++;
      if (examples.length < 10) examples.push(`workload ${id} exists but no 2xx created it`);
    }
  const slowest = slow
    .sort((a, b) => b[0] - a[0])
    .slice(0, 5)
    .map(([ms, what]) => `${what} took ${ms.toFixed(0)} ms`);
  return { requests, byStatus, fiveHundreds, notServingYet, hangs, slowestMs, stateMismatches, examples, slowest };
}

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly token: string | null;
  readonly contentType: string | null | undefined;
}

export function requestArbitrary(
  operations: readonly { path: string; method: string; op: Schema }[],
  resolve: (schema: Schema) => Schema,
  ids: readonly string[],
): fc.Arbitrary<FuzzRequest> {
  // Built once per operation: building the schemas' arbitraries costs far more than drawing from them.
  const perOperation = operations.map(({ path, method, op }) => {
    const parameters = ((op.parameters ?? []) as Schema[]).map(resolve);
    const pathArbs = parameters
      .filter((p) => p.in === 'path')
      .map((p) => fc.tuple(fc.constant(p.name as string), pathValue(ids)));
    const queryArbs = parameters
      .filter((p) => p.in === 'query')
      .map((p) =>
        fc.option(fc.tuple(fc.constant(p.name as string), queryValue(schemaArbitrary(p.schema ?? {}, resolve, 2)))),
      );
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    const body = bodySchema === undefined ? fc.constant(undefined) : bodyArbitrary(resolve(bodySchema), resolve);
    return fc.record({
      method: fc.oneof(
        { arbitrary: fc.constant(method), weight: 8 },
        { arbitrary: fc.constantFrom(...METHODS), weight: 1 },
      ),
      path: fc.tuple(fc.tuple(...pathArbs), fc.tuple(...queryArbs)).map(([params, query]) => {
        let p = path;
        for (const [name, value] of params) p = p.replace(`{${name}}`, encodeURIComponent(value));
        const q = query.flatMap((entry) =>
          entry === null ? [] : [`${encodeURIComponent(entry[0])}=${encodeURIComponent(entry[1])}`],
        );
        return q.length > 0 ? `${p}?${q.join('&')}` : p;
      }),
      body,
      token: fc.oneof(
        { arbitrary: fc.constant(TOKEN), weight: 6 },
        { arbitrary: fc.constant(USER_TOKEN), weight: 2 },
        { arbitrary: fc.constantFrom(null, 'not-a-token', ''), weight: 1 },
      ),
      contentType: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 8 },
        {
          arbitrary: fc.constantFrom(
            'text/plain',
            'application/json; charset=latin1',
            null,
            'application/x-www-form-urlencoded',
          ),
          weight: 1,
        },
      ),
    });
  });
  // Creations drawn more often than any one other operation: the state check needs workloads to hold to account.
  const weight = (i: number) => (operations[i]!.path === DI && operations[i]!.method === 'POST' ? 8 : 1);
  return fc.oneof(...perOperation.map((arbitrary, i) => ({ arbitrary, weight: weight(i) })));
}

/** `ids` grows as workloads are created: read when a value is drawn. */
function pathValue(ids: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    {
      arbitrary: fc.tuple(fc.nat(), fc.uuid()).map(([n, uuid]) => (ids.length > 0 ? ids[n % ids.length]! : uuid)),
      weight: 4,
    },
    { arbitrary: fc.uuid(), weight: 2 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
    { arbitrary: fc.constantFrom('%zz', '..', 'a'.repeat(5000), '\u0000'), weight: 1 },
  );
}

function queryValue(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: valid.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))), weight: 3 },
    { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
  );
}

/** A body: valid by the schema, valid but broken at one field, arbitrary JSON, or a known nasty text. */
function bodyArbitrary(schema: Schema, resolve: (schema: Schema) => Schema): fc.Arbitrary<unknown> {
  const valid = schemaArbitrary(schema, resolve, 6);
  return fc.oneof(
    { arbitrary: valid, weight: 5 },
    {
      arbitrary: fc.tuple(valid, fc.jsonValue({ maxDepth: 3 }), fc.nat()).map(([v, bad, n]) => breakOne(v, bad, n)),
      weight: 4,
    },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        '{"name": ',
        `\uFEFF{"name":"bom"}`,
        `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
        `{"spec":{"leader":{"compute":{"cpuMemoryRequest":"${'1'.repeat(50_000)}x"}}}}`,
        '[]',
        'null',
      ),
      weight: 1,
    },
  );
}

/** `value` with the `n`-th field (depth first) replaced by `bad`. */
function breakOne(value: unknown, bad: unknown, n: number): unknown {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (path.length > 0) paths.push(path);
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (typeof v === 'object' && v !== null) for (const [k, item] of Object.entries(v)) walk(item, [...path, k]);
  };
  walk(value, []);
  if (paths.length === 0) return bad;
  const path = paths[n % paths.length]!;
  const copy = structuredClone(value) as any;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path[path.length - 1]!] = bad;
  return copy;
}

/** Fields whose valid values the schema cannot tell: the soak cluster's own, so that valid bodies are accepted. */
const KNOWN_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  clusterId: fc.constant(CLUSTER_ID),
  projectId: fc.constantFrom('101', '102', '103'),
  name: fc.stringMatching(/^[a-z][a-z0-9]{0,12}$/),
  gpuDevicesRequest: fc.integer({ min: 0, max: 4 }),
  workers: fc.integer({ min: 0, max: 3 }),
  replicas: fc.integer({ min: 0, max: 3 }),
  seconds: fc.integer({ min: 0, max: 600 }),
};

/** Values a JSON schema allows (bounded: at most `depth` levels of objects and arrays). */
function schemaArbitrary(schema: Schema, resolve: (schema: Schema) => Schema, depth: number): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const nullable = (a: fc.Arbitrary<unknown>) => (s.nullable === true ? fc.option(a, { nil: null }) : a);
  if (s.enum !== undefined) return fc.constantFrom(...(s.enum as unknown[]));
  if (s.const !== undefined) return fc.constant(s.const);
  const alternatives = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (alternatives !== undefined) return fc.oneof(...alternatives.map((a) => schemaArbitrary(a, resolve, depth)));
  if (s.allOf !== undefined) {
    const parts = (s.allOf as Schema[]).map(resolve);
    const merged = {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: parts.flatMap((p) => p.required ?? []),
    };
    return schemaArbitrary(merged, resolve, depth);
  }
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type ?? (s.properties ? 'object' : undefined)) {
    case 'object': {
      if (depth <= 0) return fc.constant({});
      const properties = Object.fromEntries(
        Object.entries((s.properties ?? {}) as Record<string, Schema>).map(([k, v]) => {
          const generic = schemaArbitrary(v, resolve, depth - 1);
          const known = KNOWN_VALUES[k];
          return [
            k,
            known === undefined
              ? generic
              : fc.oneof({ arbitrary: known, weight: 6 }, { arbitrary: generic, weight: 1 }),
          ];
        }),
      );
      return nullable(
        fc.record(properties, { requiredKeys: ((s.required ?? []) as string[]).filter((k) => k in properties) }),
      );
    }
    case 'array':
      return depth <= 0
        ? fc.constant([])
        : nullable(fc.array(schemaArbitrary(s.items ?? {}, resolve, depth - 1), { maxLength: 3 }));
    case 'string':
      if (s.format === 'uuid') return nullable(fc.uuid());
      if (s.format === 'date-time') return nullable(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
      if (typeof s.pattern === 'string' && s.pattern !== '.*')
        return nullable(fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? 253)));
      return nullable(fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 24, 24) }));
    case 'integer':
      return nullable(fc.integer({ min: Math.max(s.minimum ?? -10, -1e6), max: Math.min(s.maximum ?? 100, 1e6) }));
    case 'number':
      return nullable(
        fc.double({ min: Math.max(s.minimum ?? -10, -1e6), max: Math.min(s.maximum ?? 100, 1e6), noNaN: true }),
      );
    case 'boolean':
      return nullable(fc.boolean());
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
