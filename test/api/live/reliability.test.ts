/**
 * No single request may stall, kill or corrupt the server: bodies that are accepted replay after a restart,
 * bodies that cannot be kept are refused at intake naming the field, pathological inputs are answered promptly,
 * and every route answers every method.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, creation, startLwsim, type LwsimServer } from './lwsim-server.ts';

const DI = '/api/v1/workloads/distributed-inferences';
let server: LwsimServer;
beforeAll(async () => {
  server = await startLwsim();
});
afterAll(async () => server.close());

const journal = () => readFileSync(join(server.dataDir, 'journal.jsonl'), 'utf8');
const count = async () => (await server.call('GET', '/api/v1/workloads/count')).body.count as number;

/** `{"a":{"a":…}}` nested `depth` levels deep, as text (JSON.stringify of it would overflow the stack). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A creation body with `value` (JSON text) spliced in as `field` (top level or inside spec). */
function bodyWith(name: string, field: string, value: string, where: 'top' | 'spec', separator = ''): string {
  const text = JSON.stringify(creation(name, { replicas: 0 }));
  return where === 'top'
    ? text.replace(/^\{/, `{"${field}":${separator}${value},`)
    : text.replace('"spec":{', `"spec":{"${field}":${separator}${value},`);
}

describe('bodies that are accepted are kept in a form that replays', () => {
  it('a body starting with a byte-order mark is created, read, patched and replayed after a restart', async () => {
    const text = `\uFEFF${JSON.stringify(creation('bom', { replicas: 0 }))}`;
    const created = await server.call('POST', DI, text);
    expect(created.status).toBe(202);
    const id = created.body.workloadId as string;
    expect((await server.call('GET', `${DI}/${id}`)).status).toBe(200);
    const patched = await server.call('PATCH', `${DI}/${id}`, { spec: { replicas: 0 } });
    expect(patched.status).toBeLessThan(300);
    expect(journal()).not.toContain('\uFEFF');
    const dataDir = server.dataDir;
    await server.close();
    server = await startLwsim({ dataDir });
    const again = await server.call('GET', `${DI}/${id}`);
    expect(again.status).toBe(200);
    expect(again.body.name).toBe('bom');
  });

  it('a body starting with two byte-order marks is kept readable too', async () => {
    const text = `\uFEFF\uFEFF${JSON.stringify(creation('two-boms', { replicas: 0 }))}`;
    const created = await server.call('POST', DI, text);
    expect(created.status).toBe(202);
    expect((await server.call('GET', `${DI}/${created.body.workloadId}`)).status).toBe(200);
  });

  it.each([
    ['an unknown top-level field', 'top', '', /body\.deep\b.*nested/],
    ['an unknown field inside spec', 'spec', '', /body\.spec\.deep\b.*nested/],
    ['an unknown field inside spec, with a newline in the body', 'spec', '\n', /body\.spec\.deep\b.*nested/],
  ] as const)(
    'a value nested 10,000 deep in %s is refused with 400 naming it, nothing kept',
    async (_, where, sep, message) => {
      const before = { count: await count(), journal: journal() };
      const r = await server.call('POST', DI, bodyWith(`deep-${where}`, 'deep', nested(10_000), where, sep));
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(message);
      expect({ count: await count(), journal: journal() }).toEqual(before);
    },
  );

  it('a value nested a little is still accepted', async () => {
    const r = await server.call('POST', DI, bodyWith('shallow', 'deep', nested(10), 'spec'));
    expect(r.status).toBe(202);
  });
});

describe('pathological values are answered promptly', () => {
  it.each([100_000, 200_000])('a quantity of %d digits and a letter is a prompt 400 naming the field', async (n) => {
    const body = creation('redos', { replicas: 0 }) as { spec: { leader: { compute: Record<string, unknown> } } };
    body.spec.leader.compute.cpuMemoryRequest = `${'1'.repeat(n)}x`;
    const started = performance.now();
    const r = await server.call('POST', DI, body);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/cpuMemoryRequest/);
    // Backtracking took 8 s at 100,000 digits and 37 s at 200,000; linear matching takes milliseconds.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('HEAD /sim/v1/events answers at once, without a body', async () => {
    const r = await server.call('HEAD', '/sim/v1/events');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/event-stream/);
    expect(r.text).toBe('');
  });

  it('a 10 MB body gets a prompt 413 in the error body', async () => {
    const r = await server.call('POST', DI, `{"name":"${'x'.repeat(10 << 20)}"}`);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: 413 });
  });

  it('a body that drips is cut off by the request timeout', async () => {
    const timed = await startLwsim({ requestTimeoutMs: 500 });
    try {
      const { port } = new URL(timed.url);
      const socket = connect(Number(port), '127.0.0.1');
      const answer = new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
      });
      socket.write(
        `POST ${DI} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKENS.dev}\r\n` +
          'content-type: application/json\r\ncontent-length: 1000\r\n\r\n{',
      );
      const drip = setInterval(() => socket.write(' '), 100);
      const text = await answer;
      clearInterval(drip);
      expect(text).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await timed.close();
    }
  });
});

describe('limits keep one request from holding the server', () => {
  it('a million pods (inside the schema) is a 400 naming the limit, and nothing is kept', async () => {
    const before = { count: await count(), journal: journal() };
    const r = await server.call('POST', DI, creation('huge', { replicas: 1000, workers: 1000, gpus: 1 }));
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(
      /1001000 pods, above the limit of 4096 pods per workload \(limits\.podsPerWorkload\)/,
    );
    expect({ count: await count(), journal: journal() }).toEqual(before);
  });

  it('a scale past the limit is refused and not applied', async () => {
    const created = await server.call('POST', DI, creation('scaled', { replicas: 0, workers: 9, gpus: 1 }));
    const id = created.body.workloadId as string;
    const r = await server.call('PATCH', `${DI}/${id}`, { spec: { replicas: 500 } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/limits\.podsPerWorkload/);
    expect((await server.call('GET', `${DI}/${id}`)).body.spec.replicas).toBe(0);
  });

  it('lists a page of pods without building the others', async () => {
    const created = await server.call('POST', DI, creation('paged', { replicas: 100, workers: 39, gpus: 0 }));
    const id = created.body.workloadId as string;
    const page = await server.call('GET', `/api/v1/workloads/${id}/pods?offset=10&limit=2`);
    expect(page.status).toBe(200);
    expect(page.body.pods).toHaveLength(2);
    expect(page.body.next).toBe(12);
    const last = await server.call('GET', `/api/v1/workloads/${id}/pods?offset=3998&limit=50`);
    expect(last.body.pods).toHaveLength(2);
    expect(last.body.next).toBeUndefined();
    const searched = await server.call('GET', `/api/v1/workloads/${id}/pods?search=paged-99-&limit=100`);
    expect(searched.body.pods.length).toBeGreaterThan(0);
    expect(searched.body.pods.every((p: { name: string }) => p.name.includes('paged-99-'))).toBe(true);
  });
});

describe('connection errors', () => {
  it('are not written into an event stream already under way: the connection is closed', async () => {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      // Once the stream has started, send bytes that are no HTTP on the same connection.
      if (text.includes('event: clock') && !socket.destroyed) socket.write('NOT HTTP AT ALL\r\n\r\n');
    });
    socket.write(`GET /sim/v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKENS.dev}\r\n\r\n`);
    await new Promise((resolve) => socket.on('close', resolve));
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text).not.toMatch(/HTTP\/1\.1 400/);
  });
});

describe('every route answers every method', () => {
  it.each([
    ['DELETE', '/sim/v1/events'],
    ['PUT', DI],
    ['POST', '/api/v1/workloads/00000000-0000-4000-8000-000000000000/pods'],
    ['PATCH', '/sim/v1/clock'],
  ])('%s %s is 405 with the methods it allows', async (method, path) => {
    const r = await server.call(method, path);
    expect(r.status).toBe(405);
    expect(r.body).toMatchObject({ code: 405 });
    expect(r.headers.allow).toMatch(/GET|POST/);
  });

  it('an unknown path is still 404', async () => {
    expect((await server.call('PUT', '/api/v1/nothing-here')).status).toBe(404);
  });
});
