import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseProject, createAuthenticator, DEFAULT_ADMIN_EMAIL, principalOf, type ApiUser } from '../../src/api/auth.ts';
import { validatorFor } from '../../src/api/contract/ajv.ts';
import { contractRoute } from '../../src/api/contract/fastify-contract.ts';
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
        app.route(contractRoute('create_distributed_inference', async (_req, reply) => reply.code(202).send({}), { responses: false }));
      },
    });
  });
  afterAll(() => server.close());

  it('rejects a request without an Authorization header', async () => {
    expect(expect401(await get('/whoami'))).toMatch(/Missing Authorization header/);
  });

  it('rejects other schemes and malformed bearer headers', async () => {
    expect(expect401(await get('/whoami', 'Basic YWxpY2U6cHc='), 'invalid_request')).toBe('Authorization header must use the Bearer scheme');
    expect(expect401(await get('/whoami', 'alice-token-1'), 'invalid_request')).toBe('Authorization header must use the Bearer scheme');
    expect(expect401(await get('/whoami', 'Bearer'), 'invalid_request')).toBe('Malformed bearer token');
    expect(expect401(await get('/whoami', 'Bearer alice-token-1 extra'), 'invalid_request')).toBe('Malformed bearer token');
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
    expect((await get('/whoami', 'bearer ops.token_3~+/=')).body).toMatchObject({ email: 'ops@example.com', projects: 'all' });
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
    const res = await request(`${server.url}/api/v1/workloads/distributed-inferences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad json' });
    expect401(res);
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
    expect(() => createAuthenticator({ users: [USERS[0]!, { ...USERS[1]!, token: USERS[0]!.token }] })).toThrow(/shares a token/);
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
