// Application credentials exchanged for access tokens (Run:ai's POST /api/v1/token): signed JWTs (HS256, a secret
// per data directory) that carry who the application is and what it may use, verified on every request beside the
// static tokens of the cluster file.
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { hash } from 'node:crypto';
import { constantTimeEqual } from './constant-time.ts';
import type { Principal } from './auth.ts';

/** An application that may ask for tokens: its id, the SHA-256 of its secret (hex), and what it may use. */
export interface Application {
  readonly id: string;
  readonly secretSha256: string;
  readonly projects: readonly string[] | 'all';
  readonly admin: boolean;
}

/** What lwsim exchanges: application credentials, under either of their grant types. */
export const GRANT_TYPES = ['app_token', 'client_credentials'] as const;

/** How long an access token is valid. */
export const TOKEN_LIFETIME_SECONDS = 3600;

const ISSUER = 'lwsim';

/** The contract's TokenRequest, with the spellings clients use for the credentials. */
export interface TokenRequest {
  readonly grantType?: string;
  readonly clientID?: string;
  readonly clientSecret?: string;
  readonly appID?: string;
  readonly appSecret?: string;
  /** runapy's spelling. */
  readonly AppId?: string;
  readonly AppSecret?: string;
}

export type Grant =
  | { readonly ok: true; readonly accessToken: string; readonly expiresIn: number }
  | { readonly ok: false; readonly error: 'badRequest' | 'unauthorized'; readonly message: string };

export type Verification =
  { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly message: string };

interface Claims {
  readonly sub: string;
  readonly projects: readonly string[] | 'all';
  readonly admin: boolean;
  readonly exp: number;
}

/**
 * SHA-256 of a secret, in hex (static tokens and application secrets alike): the one-shot form (Node >= 20.12), no
 * Hash object and no Buffer per request (each costs more than the hash).
 */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

export class AccessTokens {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly check: (token: string) => Claims;

  constructor(
    secret: Buffer,
    private readonly applications: readonly Application[],
    private readonly now: () => number = Date.now,
  ) {
    const ids = new Set<string>();
    for (const app of applications) {
      if (ids.has(app.id)) throw new Error(`application ${app.id} is declared twice`);
      ids.add(app.id);
    }
    this.sign = createSigner({ key: secret, algorithm: 'HS256', iss: ISSUER });
    this.check = createVerifier({ key: secret, algorithms: ['HS256'], allowedIss: ISSUER });
  }

  /** Exchanges application credentials for an access token. */
  grant(request: TokenRequest): Grant {
    const grantType = request.grantType;
    if (grantType === undefined || !(GRANT_TYPES as readonly string[]).includes(grantType))
      return {
        ok: false,
        error: 'badRequest',
        message: `grantType: lwsim exchanges application credentials (${GRANT_TYPES.join(', ')}), not ${grantType ?? 'nothing'}`,
      };
    const id = request.clientID ?? request.appID ?? request.AppId;
    const secret = request.clientSecret ?? request.appSecret ?? request.AppSecret;
    if (id === undefined || secret === undefined)
      return {
        ok: false,
        error: 'badRequest',
        message: 'clientID and clientSecret (or appID and appSecret) are required',
      };
    // Every application is compared, matching or not, so the time taken does not tell which ids exist.
    const presented = sha256Hex(secret);
    let found: Application | undefined;
    for (const app of this.applications) {
      const match = constantTimeEqual(presented, app.secretSha256) && app.id === id;
      found = match ? app : found;
    }
    if (found === undefined) return { ok: false, error: 'unauthorized', message: 'Invalid application credentials' };
    const nowSeconds = Math.floor(this.now() / 1000);
    const accessToken = this.sign({
      sub: found.id,
      projects: found.projects,
      admin: found.admin,
      iat: nowSeconds,
      exp: nowSeconds + TOKEN_LIFETIME_SECONDS,
    });
    return { ok: true, accessToken, expiresIn: TOKEN_LIFETIME_SECONDS };
  }

  /** Whether `token` looks like a JWT (three base64url parts) rather than a static token. */
  static isJwt(token: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
  }

  /** The principal a token names, if it is one of ours, unaltered and unexpired. */
  verify(token: string): Verification {
    let claims: Claims;
    try {
      claims = this.check(token);
    } catch (e) {
      const expired = e instanceof TokenError && e.code === TokenError.codes.expired;
      return {
        ok: false,
        message: expired
          ? 'The access token has expired: ask POST /api/v1/token for another'
          : 'Invalid or expired token',
      };
    }
    // An application removed from the cluster file since the token was issued no longer gets in.
    if (!this.applications.some((app) => app.id === claims.sub))
      return { ok: false, message: 'Invalid or expired token' };
    return {
      ok: true,
      principal: { email: claims.sub, projects: claims.projects, admin: claims.admin, expiresAtMs: claims.exp * 1000 },
    };
  }
}
