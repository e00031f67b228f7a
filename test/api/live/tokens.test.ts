/**
 * POST /api/v1/token: application credentials for a signed access token (JWT, HS256, a key per data directory)
 * that the server then accepts like a static token, until it expires; and the requests generated clients send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokens, sha256Hex } from '../../../src/api/access-tokens.ts';
import { tokenSecret } from '../../../src/runtime/token-secret.ts';
import { APPLICATIONS, PROJECT, creation, expectContract, startLwsim, type LwsimServer } from './lwsim-server.ts';

const DI = '/api/v1/workloads/distributed-inferences';
let server: LwsimServer;
beforeAll(async () => {
  server = await startLwsim();
});
afterAll(async () => server.close());

const grant = (body: unknown) => server.call('POST', '/api/v1/token', body, null);
const payload = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());

describe('POST /api/v1/token', () => {
  it("exchanges runapy's app_token credentials for a JWT with exp, iat, subject and projects", async () => {
    const { chatBot } = APPLICATIONS;
    const r = await grant({ grantType: 'app_token', AppId: chatBot.id, AppSecret: chatBot.secret });
    expect(r.status).toBe(200);
    expectContract('grant_token', 200, r.body);
    expect(r.body.expiresIn).toBe(3600);
    const claims = payload(r.body.accessToken);
    expect(claims).toMatchObject({ sub: 'chat-bot', projects: ['chat'], admin: false, iss: 'lwsim' });
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('answers client_credentials too, and the token works like a static one, scoped to its projects', async () => {
    const { chatBot } = APPLICATIONS;
    const r = await grant({ grantType: 'client_credentials', clientID: chatBot.id, clientSecret: chatBot.secret });
    const token = r.body.accessToken as string;
    expect((await server.call('GET', '/api/v1/workloads', undefined, token)).status).toBe(200);
    const mine = await server.call('POST', DI, creation('bot-made', { projectId: PROJECT.chat, replicas: 0 }), token);
    expect(mine.status).toBe(202);
    expect(mine.body.createdBy).toBe('chat-bot');
    expect((await server.call('POST', DI, creation('not-mine', { replicas: 0 }), token)).status).toBe(403);
    expect((await server.call('POST', '/sim/v1/clock/advance', { seconds: 1 }, token)).status).toBe(403);
  });

  it('gives an administrator application the cluster-wide operations', async () => {
    const { adminBot } = APPLICATIONS;
    const token = (
      await grant({ grantType: 'client_credentials', clientID: adminBot.id, clientSecret: adminBot.secret })
    ).body.accessToken;
    expect((await server.call('POST', '/sim/v1/clock/advance', { seconds: 1 }, token)).status).toBe(200);
  });

  it.each([
    [
      'a wrong secret',
      { grantType: 'app_token', AppId: 'chat-bot', AppSecret: 'wrong' },
      401,
      /Invalid application credentials/,
    ],
    [
      'an unknown application',
      { grantType: 'client_credentials', clientID: 'nobody', clientSecret: 'x' },
      401,
      /Invalid/,
    ],
    ['a grant type lwsim does not exchange', { grantType: 'password', username: 'a', password: 'b' }, 400, /grantType/],
    ['an unknown grant type', { grantType: 'magic' }, 400, /grantType/],
    ['no credentials', { grantType: 'client_credentials' }, 400, /clientID and clientSecret/],
    ['no body', undefined, 400, /body/],
  ])('%s: %d in the error body', async (_, body, status, message) => {
    const r = await grant(body);
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(status);
    expect(r.body.message).toMatch(message);
  });
});

describe('access tokens on other requests', () => {
  const token = async () =>
    (
      await grant({
        grantType: 'client_credentials',
        clientID: APPLICATIONS.chatBot.id,
        clientSecret: APPLICATIONS.chatBot.secret,
      })
    ).body.accessToken as string;

  it('refuses a tampered token with 401', async () => {
    const good = await token();
    const [head, body, signature] = good.split('.');
    const claims = { ...payload(good), projects: 'all', admin: true };
    const forged = `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const r = await server.call('GET', '/api/v1/workloads', undefined, forged);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/invalid_token/);
    expect((await server.call('GET', '/api/v1/workloads', undefined, `${head}.${body}.`)).status).toBe(401);
  });

  it('refuses an expired token with 401 saying so, and one signed with another key', async () => {
    const app = [
      { id: 'chat-bot', secretSha256: sha256Hex(APPLICATIONS.chatBot.secret), projects: ['chat'], admin: false },
    ];
    const twoHoursAgo = new AccessTokens(tokenSecret(server.dataDir), app, () => Date.now() - 7_200_000);
    const old = twoHoursAgo.grant({
      grantType: 'app_token',
      appID: 'chat-bot',
      appSecret: APPLICATIONS.chatBot.secret,
    });
    if (!old.ok) throw new Error(old.message);
    const r = await server.call('GET', '/api/v1/workloads', undefined, old.accessToken);
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(/expired/);
    const otherKey = new AccessTokens(Buffer.alloc(32, 7), app);
    const foreign = otherKey.grant({
      grantType: 'app_token',
      appID: 'chat-bot',
      appSecret: APPLICATIONS.chatBot.secret,
    });
    if (!foreign.ok) throw new Error(foreign.message);
    expect((await server.call('GET', '/api/v1/workloads', undefined, foreign.accessToken)).status).toBe(401);
  });

  it('still accepts a token after a restart on the same data directory', async () => {
    const issued = await token();
    const dataDir = server.dataDir;
    await server.close();
    server = await startLwsim({ dataDir });
    expect((await server.call('GET', '/api/v1/workloads', undefined, issued)).status).toBe(200);
  });
});

describe('bodiless requests that say Content-Type: application/json', () => {
  it.each(['DELETE', 'GET'])('%s is answered as if it had no content type', async (method) => {
    const created = await server.call('POST', DI, creation(`bodiless-${method.toLowerCase()}`, { replicas: 0 }));
    const id = created.body.workloadId as string;
    const r = await server.call(method, `${DI}/${id}`, undefined, undefined, { 'content-type': 'application/json' });
    expect(r.status).toBeLessThan(300);
  });
});
