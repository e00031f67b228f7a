import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/api/auth.ts';
import { isApiError } from '../../src/api/errors.ts';
import { authorizeServing, servingAccess } from '../../src/serving/access.ts';

const auth = createAuthenticator({
  users: [
    { token: 'alice-token', email: 'Alice@Example.com', projects: ['a'] },
    { token: 'bob-token', email: 'bob@example.com', projects: 'all' },
  ],
});
const port = (servingPort: unknown) => servingAccess({ spec: { servingPort } });
const status = (fn: () => unknown): number => {
  try {
    fn();
    return 200;
  } catch (err) {
    return isApiError(err) ? err.status : 500;
  }
};

describe('serving access', () => {
  it('defaults to authenticatedUsers without a servingPort or its authorizationType', () => {
    expect(servingAccess({}).authorizationType).toBe('authenticatedUsers');
    expect(port({ port: 8000 }).authorizationType).toBe('authenticatedUsers');
    expect(port({ port: 8000, authorizationType: null }).authorizationType).toBe('authenticatedUsers');
  });

  it('public needs no token (and ignores a bad one)', () => {
    expect(authorizeServing(port({ authorizationType: 'public' }), auth, undefined)).toBeUndefined();
    expect(authorizeServing(port({ authorizationType: 'public' }), auth, 'Bearer nonsense')).toBeUndefined();
  });

  it('authenticatedUsers needs any valid token', () => {
    const access = servingAccess({});
    expect(status(() => authorizeServing(access, auth, undefined))).toBe(401);
    expect(status(() => authorizeServing(access, auth, 'Bearer wrong'))).toBe(401);
    expect(authorizeServing(access, auth, 'Bearer alice-token')?.email).toBe('Alice@Example.com');
  });

  it('authorizedUsers admits listed emails (case-insensitively) only', () => {
    const access = port({ authorizationType: 'authorizedUsers', authorizedUsers: ['alice@example.com'] });
    expect(status(() => authorizeServing(access, auth, undefined))).toBe(401);
    expect(status(() => authorizeServing(access, auth, 'Bearer bob-token'))).toBe(403);
    expect(status(() => authorizeServing(access, auth, 'Bearer alice-token'))).toBe(200);
    expect(
      status(() => authorizeServing(port({ authorizationType: 'authorizedUsers' }), auth, 'Bearer alice-token')),
    ).toBe(403);
  });

  it('authorizedGroups admits nobody (lwsim users have no groups), after authenticating', () => {
    const access = port({ authorizationType: 'authorizedGroups', authorizedGroups: ['ml'] });
    expect(status(() => authorizeServing(access, auth, undefined))).toBe(401);
    expect(status(() => authorizeServing(access, auth, 'Bearer bob-token'))).toBe(403);
  });
});
