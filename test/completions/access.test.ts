import { describe, expect, it } from 'vitest';
import { authorizeServing, servingAccess, type ServingCaller } from '../../src/completions/access.ts';

const port = (servingPort: unknown) => servingAccess({ spec: { servingPort } });
const as = (email: string) => (): ServingCaller => ({ email });
/** Stands for a request without a valid token: the API's authenticator throws its own 401. */
const noToken = (): ServingCaller => {
  throw new Error('no token');
};

describe('serving access', () => {
  it('defaults to authenticatedUsers without a servingPort or its authorizationType', () => {
    expect(servingAccess({}).authorizationType).toBe('authenticatedUsers');
    expect(port({ port: 8000 }).authorizationType).toBe('authenticatedUsers');
    expect(port({ port: 8000, authorizationType: null }).authorizationType).toBe('authenticatedUsers');
  });

  it('public admits without identifying the caller (so a bad token is ignored)', () => {
    expect(authorizeServing(port({ authorizationType: 'public' }), noToken)).toEqual({ ok: true });
  });

  it('authenticatedUsers admits any identified caller, and identifies every one', () => {
    const access = servingAccess({});
    expect(() => authorizeServing(access, noToken)).toThrow('no token');
    expect(authorizeServing(access, as('Alice@Example.com'))).toEqual({ ok: true });
  });

  it('authorizedUsers admits listed emails (case-insensitively) only', () => {
    const access = port({ authorizationType: 'authorizedUsers', authorizedUsers: ['alice@example.com'] });
    expect(() => authorizeServing(access, noToken)).toThrow('no token');
    expect(authorizeServing(access, as('Alice@Example.com'))).toEqual({ ok: true });
    expect(authorizeServing(access, as('bob@example.com'))).toEqual({
      ok: false,
      error: 'forbidden',
      message: "user bob@example.com is not in this workload's servingPort.authorizedUsers",
    });
    expect(authorizeServing(port({ authorizationType: 'authorizedUsers' }), as('alice@example.com'))).toMatchObject({
      ok: false,
      error: 'forbidden',
    });
  });

  it('authorizedGroups admits nobody (lwsim users have no groups), after identifying', () => {
    const access = port({ authorizationType: 'authorizedGroups', authorizedGroups: ['ml'] });
    expect(() => authorizeServing(access, noToken)).toThrow('no token');
    const refused = authorizeServing(access, as('bob@example.com'));
    expect(refused).toMatchObject({ ok: false, error: 'forbidden' });
    expect(!refused.ok && refused.message).toMatch(/authorizedGroups/);
  });
});
