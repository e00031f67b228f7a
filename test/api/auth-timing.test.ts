import { beforeEach, describe, expect, it, vi } from 'vitest';

// Count constant-time comparisons: authentication must do the same work whichever token (if any) matches.
const compare = vi.hoisted(() => ({ calls: 0, lengths: [] as number[] }));
vi.mock('../../src/api/constant-time.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/api/constant-time.ts')>();
  return {
    constantTimeEqual: (a: string, b: string) => {
      compare.calls++;
      compare.lengths.push(a.length, b.length);
      return original.constantTimeEqual(a, b);
    },
  };
});

const { createAuthenticator } = await import('../../src/api/auth.ts');

const users = Array.from({ length: 5 }, (_, i) => ({
  token: `token-${i}-${'x'.repeat(i * 7)}`,
  email: `u${i}@example.com`,
  projects: [],
}));
const auth = createAuthenticator({ users, adminToken: 'admin-token' });

describe('token comparison', () => {
  beforeEach(() => {
    compare.calls = 0;
    compare.lengths = [];
  });

  it.each([
    ['the first user', 'token-0-'],
    ['the last user', users[4]!.token],
    ['the admin token', 'admin-token'],
  ])('compares against every user when the token is %s', (_name, token) => {
    auth.authenticate(`Bearer ${token}`);
    expect(compare.calls).toBe(6);
  });

  it('compares against every user when no token matches, over SHA-256 digests of equal length (hex)', () => {
    expect(() => auth.authenticate('Bearer a-much-longer-token-than-any-configured-one-0123456789')).toThrow();
    expect(compare.calls).toBe(6);
    expect(new Set(compare.lengths)).toEqual(new Set([64]));
  });
});

describe('constantTimeEqual', async () => {
  const { constantTimeEqual } = await vi.importActual<typeof import('../../src/api/constant-time.ts')>(
    '../../src/api/constant-time.ts',
  );

  it('is true only for equal strings', () => {
    expect(constantTimeEqual('a1b2', 'a1b2')).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('a1b2', 'a1b3')).toBe(false);
    expect(constantTimeEqual('x1b2', 'a1b2')).toBe(false);
    expect(constantTimeEqual('a1b2', 'a1b')).toBe(false);
    expect(constantTimeEqual('a1b', 'a1b2')).toBe(false);
  });
});
