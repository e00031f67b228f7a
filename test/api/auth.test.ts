import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canUseProject,
  ConnectionCredentials,
  createAuthenticator,
  DEFAULT_ADMIN_EMAIL,
  principalOf,
  type ApiUser,
} from '../../src/api/auth.ts';
import { validatorFor } from '../../src/contract/ajv.ts';
import { contractRoute } from '../../src/contract/fastify-contract.ts';
import { ApiError } from '../../src/api/errors.ts';
import { request, startServer, type JsonResponse, type TestServer } from './support/server.ts';

const ADMIN_TOKEN = 'lwsim-admin-7f3a9c';
const USERS: readonly ApiUser[] = [
  { token: 'alice-token-1', email: 'alice@example.com', projects: ['research', 'llm-serving'] },
  { token: 'bob-token-2', email: 'bob@example.com', projects: [] },
  { token: 'ops.token_3~+/=', email: 'ops@example.com', projects: 'all' },
];

function expect401(res: JsonResponse, error?: string): string {
  expect(res.status).toBe(401);
  expect(validatorFor('Error')(res.body)).toBe(true);
  expect((res.body as { code: number }).code).toBe(401);
  const challenge = res.headers.get('www-authenticate');
  expect(challenge).toMatch(/^Bearer realm="lwsim"/);
  if (error !== undefined) expect(challenge).toContain(`error="${error}"`);
  return (res.body as { message: string }).message;
}

describe('bearer authentication on a real server', () => {
  let server: TestServer;
  const get = (path: string, authorization?: string): Promise<JsonResponse> =>
    request(`${server.url}${path}`, authorization === undefined ? {} : { headers: { authorization } });

  beforeAll(async () => {
    server = await startServer({
      auth: { users: USERS, adminToken: ADMIN_TOKEN, publicRoutes: ['/healthz'] },
      routes: (app) => {
        app.get('/healthz', async () => ({ ok: true }));
        app.get('/whoami', async (req) => principalOf(req));
        app.route(
          contractRoute('create_distributed_inference', async (_req, reply) => reply.code(202).send({}), {
            responses: false,
          }),
        );
      },
    });
  });
  afterAll(() => server.close());

  it('rejects a request without an Authorization header', async () => {
    expect(expect401(await get('/whoami'))).toMatch(/Missing Authorization header/);
  });

  it('rejects other schemes and malformed bearer headers', async () => {
    expect(expect401(await get('/whoami', 'Basic YWxpY2U6cHc='), 'invalid_request')).toBe(
      'Authorization header must use the Bearer scheme',
    );
    expect(expect401(await get('/whoami', 'alice-token-1'), 'invalid_request')).toBe(
      'Authorization header must use the Bearer scheme',
    );
    expect(expect401(await get('/whoami', 'Bearer'), 'invalid_request')).toBe('Malformed bearer token');
    expect(expect401(await get('/whoami', 'Bearer alice-token-1 extra'), 'invalid_request')).toBe(
      'Malformed bearer token',
    );
    expect(expect401(await get('/whoami', 'Bearer al"ice'), 'invalid_request')).toBe('Malformed bearer token');
  });

  it('rejects an unknown token', async () => {
    expect(expect401(await get('/whoami', 'Bearer not-a-token'), 'invalid_token')).toBe('Invalid or expired token');
    expect(expect401(await get('/whoami', 'Bearer alice-token-'), 'invalid_token')).toBe('Invalid or expired token');
  });

  it('lets a known token through, as that user, without exposing the token', async () => {
    const res = await get('/whoami', 'Bearer alice-token-1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ email: 'alice@example.com', projects: ['research', 'llm-serving'], admin: false });
    expect((await get('/whoami', 'bearer ops.token_3~+/=')).body).toMatchObject({
      email: 'ops@example.com',
      projects: 'all',
    });
  });

  it('accepts the LWSIM admin token as an admin with every project', async () => {
    const res = await get('/whoami', `Bearer ${ADMIN_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ email: DEFAULT_ADMIN_EMAIL, projects: 'all', admin: true });
  });

  it('skips public routes, and answers 401 (not 404) on unknown routes until authenticated', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/healthz', 'Bearer not-a-token')).status).toBe(200);
    expect((await get('/healthz', 'Basic YWxpY2U6cHc=')).status).toBe(200);
    expect401(await get('/api/v1/no-such-route'));
    expect((await get('/api/v1/no-such-route', 'Bearer bob-token-2')).status).toBe(404);
  });

  it('authenticates before it parses or validates a body', async () => {
    const res = await request(`${server.url}/api/v1/workloads/distributed-inferences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{bad json',
    });
    expect401(res);
  });
});

describe('authentication per connection', () => {
  it('answers each request of one keep-alive connection for the header it carries', async () => {
    const server = await startServer({
      auth: { users: USERS },
      routes: (app) =>
        void app.get('/whoami/connection', async (req) => ({
          email: principalOf(req).email,
          port: req.raw.socket.remotePort,
        })),
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (authorization: string): Promise<{ status: number; body: { email?: string; port?: number } }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(`${server.url}/whoami/connection`, { agent, headers: { authorization } }, (res) => {
          let text = '';
          res
            .setEncoding('utf8')
            .on('data', (chunk: string) => (text += chunk))
            .on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        req.on('error', reject).end();
      });
    try {
      const answers = [];
      for (const header of [
        'Bearer alice-token-1',
        'Bearer alice-token-1',
        'Bearer alice-token-2',
        'Bearer alice-token-1',
        'Bearer bob-token-2',
        'Bearer alice-token-1x',
        'Bearer bob-token-2',
      ]) {
        answers.push(await get(header));
      }
      expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 200, 200, 401, 200]);
      expect(answers.map((a) => a.body.email ?? null)).toEqual([
        'alice@example.com',
        'alice@example.com',
        null,
        'alice@example.com',
        'bob@example.com',
        null,
        'bob@example.com',
      ]);
      // One connection served them all (the 401s keep it open too).
      expect(new Set(answers.flatMap((a) => (a.body.port === undefined ? [] : [a.body.port]))).size).toBe(1);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('verifies a header once per connection, and any other header afresh', () => {
    const auth = createAuthenticator({ users: USERS });
    let calls = 0;
    const credentials = new ConnectionCredentials({ authenticate: (header) => (calls++, auth.authenticate(header)) });
    const [a, b] = [{}, {}];
    expect(credentials.authenticate(a, 'Bearer alice-token-1').email).toBe('alice@example.com');
    expect(credentials.authenticate(a, 'Bearer alice-token-1').email).toBe('alice@example.com');
    expect(calls).toBe(1);
    expect(credentials.authenticate(b, 'Bearer alice-token-1').email).toBe('alice@example.com');
    expect(calls).toBe(2);
    // A prefix, an extension or no header at all is not the verified header.
    for (const header of ['Bearer alice-token-', 'Bearer alice-token-1 1', undefined])
      expect(() => credentials.authenticate(a, header)).toThrow(ApiError);
    expect(calls).toBe(5);
    expect(credentials.authenticate(a, 'Bearer bob-token-2').email).toBe('bob@example.com');
    expect(credentials.authenticate(a, 'Bearer alice-token-1').email).toBe('alice@example.com');
    expect(calls).toBe(7);
  });
});

describe('createAuthenticator', () => {
  it('ignores an empty or missing admin token', () => {
    for (const adminToken of [undefined, '']) {
      const auth = createAuthenticator({ users: [], adminToken });
      expect(() => auth.authenticate('Bearer ')).toThrow(ApiError);
      expect(() => auth.authenticate('Bearer x')).toThrow(ApiError);
    }
  });

  it('refuses ambiguous configurations: empty or shared tokens', () => {
    expect(() => createAuthenticator({ users: [{ token: '', email: 'a', projects: [] }] })).toThrow(/empty token/);
    expect(() => createAuthenticator({ users: [USERS[0]!, { ...USERS[1]!, token: USERS[0]!.token }] })).toThrow(
      /shares a token/,
    );
    expect(() => createAuthenticator({ users: USERS, adminToken: USERS[0]!.token })).toThrow(/shares a token/);
  });

  it('throws 401 ApiErrors carrying the challenge header', () => {
    const auth = createAuthenticator({ users: USERS });
    try {
      auth.authenticate('Bearer nope');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(401);
      expect((error as ApiError).headers['www-authenticate']).toBe('Bearer realm="lwsim", error="invalid_token"');
    }
  });
});

describe('canUseProject', () => {
  it('allows listed projects only', () => {
    const alice = { projects: ['research', 'llm-serving'], admin: false } as const;
    expect(canUseProject(alice, 'research')).toBe(true);
    expect(canUseProject(alice, 'llm-serving')).toBe(true);
    expect(canUseProject(alice, 'finance')).toBe(false);
    expect(canUseProject(alice, 'Research')).toBe(false);
    expect(canUseProject({ projects: [], admin: false }, 'research')).toBe(false);
  });

  it("allows everything to admins and to users with projects: 'all'", () => {
    expect(canUseProject({ projects: [], admin: true }, 'finance')).toBe(true);
    expect(canUseProject({ projects: 'all', admin: false }, 'finance')).toBe(true);
  });
});
