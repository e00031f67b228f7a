import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatorFor } from '../../src/contract/ajv.ts';
import { contractRoute } from '../../src/contract/fastify-contract.ts';
import { apiError } from '../../src/api/errors.ts';
import { creationRequest, distributedInference, WORKLOAD_ID } from './support/fixtures.ts';
import { request, startServer, type JsonResponse, type TestServer } from './support/server.ts';

const CREATE = '/api/v1/workloads/distributed-inferences';
const JSON_HEADERS = { 'content-type': 'application/json' };
const isErrorBody = validatorFor('Error');

/** Asserts the documented error body (the contract's Error schema) with this status, and returns its message. */
function expectError(res: JsonResponse, status: number): string {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(isErrorBody(res.body), `${res.text} ${JSON.stringify(isErrorBody.errors)}`).toBe(true);
  const body = res.body as { code: number; message: string; details?: string };
  expect(body.code).toBe(status);
  expect(res.text).not.toMatch(/at .*\.(ts|js):\d+|node_modules|stack/);
  return body.message;
}

describe('error handling on a real server', () => {
  let server: TestServer;
  let url: string;

  beforeAll(async () => {
    server = await startServer({
      bodyLimit: 64 * 1024,
      routes: (app) => {
        app.route(
          contractRoute('create_distributed_inference', async (_req, reply) =>
            reply.code(202).send(distributedInference()),
          ),
        );
        app.route(
          contractRoute('get_distributed_inference', async (req) => {
            throw apiError(
              'notFound',
              `Distributed inference ${(req.params as { workloadId: string }).workloadId} not found`,
            );
          }),
        );
        app.route(
          contractRoute('update_distributed_inference_spec', async () =>
            apiError('forbidden', 'Not allowed to update workloads in project research'),
          ),
        );
        app.route(
          contractRoute('delete_distributed_inference', async () => {
            throw new Error('database password is hunter2');
          }),
        );
        app.route(
          contractRoute('get_workload', async () => {
            throw Object.assign(new Error('upstream said no'), { statusCode: 418 });
          }),
        );
        app.route(
          contractRoute('count_workloads', async () => {
            throw apiError('unavailable', 'The simulator is starting');
          }),
        );
      },
    });
    url = server.url;
  });
  afterAll(() => server.close());

  it('answers a valid create with 202 and a body that matches the contract', async () => {
    const res = await request(`${url}${CREATE}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(creationRequest()),
    });
    expect(res.status).toBe(202);
    expect(validatorFor('DistributedInference')(res.body)).toBe(true);
  });

  it('malformed JSON -> 400', async () => {
    const res = await request(`${url}${CREATE}`, { method: 'POST', headers: JSON_HEADERS, body: '{"name": "llama", ' });
    expect(expectError(res, 400)).toBe('Malformed JSON in request body');
  });

  it('empty body declared as JSON -> 400', async () => {
    const res = await request(`${url}${CREATE}`, { method: 'POST', headers: JSON_HEADERS, body: '' });
    expectError(res, 400);
  });

  it('no body at all -> 400 naming the body', async () => {
    const res = await request(`${url}${CREATE}`, { method: 'POST' });
    expect(expectError(res, 400)).toBe('body: must be object');
  });

  it('schema violations -> 400 naming the field', async () => {
    const body = creationRequest();
    body.spec.workers = 5000;
    const res = await request(`${url}${CREATE}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
    expect(expectError(res, 400)).toBe('spec.workers: must be <= 1000');
    const array = await request(`${url}${CREATE}`, { method: 'POST', headers: JSON_HEADERS, body: '[]' });
    expect(expectError(array, 400)).toBe('body: must be object');
    const missing = await request(`${url}${CREATE}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ name: 'x', projectId: '1' }),
    });
    expect(expectError(missing, 400)).toBe('clusterId: is required');
  });

  it('an invalid path parameter -> 400 naming it', async () => {
    const res = await request(`${url}${CREATE}/not-a-uuid`);
    expect(expectError(res, 400)).toBe('workloadId: must match format "uuid"');
  });

  it('unsupported media types -> 415', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await request(`${url}${CREATE}`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: 'name=llama',
      });
      expect(expectError(res, 415)).toContain(type);
    }
  });

  it('a body over the limit -> 413', async () => {
    const body = { ...creationRequest(), name: 'x'.repeat(100 * 1024) };
    const res = await request(`${url}${CREATE}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
    expectError(res, 413);
  });

  it('unknown routes and methods -> 404', async () => {
    expect(expectError(await request(`${url}/api/v1/nope`), 404)).toBe('Route GET /api/v1/nope not found');
    expect(expectError(await request(`${url}${CREATE}`, { method: 'PUT' }), 404)).toBe(`Route PUT ${CREATE} not found`);
  });

  it('a malformed URL -> 400 (through frameworkErrors)', async () => {
    expectError(await request(`${url}/api/v1/workloads/%zz`), 400);
  });

  it('a thrown apiError -> its status and message', async () => {
    const res = await request(`${url}${CREATE}/${WORKLOAD_ID}`);
    expect(expectError(res, 404)).toBe(`Distributed inference ${WORKLOAD_ID} not found`);
    expect(expectError(await request(`${url}/api/v1/workloads/count`), 503)).toBe('The simulator is starting');
  });

  it('a returned apiError -> its status and message', async () => {
    const res = await request(`${url}${CREATE}/${WORKLOAD_ID}`, {
      method: 'PATCH',
      headers: JSON_HEADERS,
      body: JSON.stringify({ spec: { replicas: 2 } }),
    });
    expect(expectError(res, 403)).toBe('Not allowed to update workloads in project research');
  });

  it('an unexpected throw -> 500 without its message or stack', async () => {
    const res = await request(`${url}${CREATE}/${WORKLOAD_ID}`, { method: 'DELETE' });
    expect(expectError(res, 500)).toBe('Internal server error');
    expect(res.text).not.toContain('hunter2');
    // A status on a foreign error is not trusted: only fastify's own client errors keep theirs.
    const teapot = await request(`${url}/api/v1/workloads/${WORKLOAD_ID}`);
    expect(expectError(teapot, 500)).toBe('Internal server error');
  });

  it('never answers 500 to bad input', async () => {
    const post = async (body: string, type = 'application/json'): Promise<number> =>
      (await request(`${url}${CREATE}`, { method: 'POST', headers: { 'content-type': type }, body })).status;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ ...creationRequest(), spec: v })),
        ),
        async (body) => {
          expect([202, 400]).toContain(await post(body));
        },
      ),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'text/html',
          'application/octet-stream',
          'multipart/form-data; boundary=x',
          'application/json; charset=latin1',
          'nonsense',
        ),
        async (type) => {
          expect([400, 415]).toContain(await post('{}', type));
        },
      ),
    );
  });
});
