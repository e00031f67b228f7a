// Bearer-token authentication for the API (Run:ai's `bearerAuth` security scheme): a token -> user table,
// an optional admin token, and an onRequest hook that answers 401 in the error body.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccessTokens, sha256Hex } from './access-tokens.ts';
import { constantTimeEqual } from './constant-time.ts';
import { apiError } from './errors.ts';

export interface ApiUser {
  readonly token: string;
  readonly email: string;
  /** Project names the user may use, or every project. */
  readonly projects: readonly string[] | 'all';
  readonly admin?: boolean;
}

/** The authenticated caller, without the token (so it is safe to log or keep on a workload). */
export interface Principal {
  readonly email: string;
  readonly projects: readonly string[] | 'all';
  readonly admin: boolean;
  /** When the credential that names it expires (an access token's `exp`), in wall-clock ms; static tokens never. */
  readonly expiresAtMs?: number;
}

export interface AuthOptions {
  readonly users: readonly ApiUser[];
  /** An extra token with full access (the server passes `process.env.LWSIM_TOKEN`); ignored when empty. */
  readonly adminToken?: string | undefined;
  readonly adminEmail?: string;
  /** Route URLs (as registered, e.g. `/healthz`) that need no token. */
  readonly publicRoutes?: readonly string[];
  /** Any other request that needs no token. */
  readonly isPublic?: (request: FastifyRequest) => boolean;
  /** Realm in the `WWW-Authenticate` challenge. */
  readonly realm?: string;
  /** The access tokens POST /api/v1/token issues, accepted beside the static tokens. */
  readonly accessTokens?: AccessTokens | undefined;
}

export interface Authenticator {
  /** The principal for an `Authorization` header value; throws a 401 ApiError otherwise. */
  authenticate(authorization: string | undefined): Principal;
}

export const DEFAULT_ADMIN_EMAIL = 'admin@lwsim.local';

// RFC 6750 b64token, bounded so a huge header cannot make us hash megabytes.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,4096}=*) *$/i;
const SCHEME = /^\s*(\S+)/;

interface Entry {
  /** SHA-256 of the token, in hex. */
  readonly digest: string;
  readonly principal: Principal;
}

/** Builds the token table; throws on empty or duplicate tokens, which would make identities ambiguous. */
export function createAuthenticator(
  options: Pick<AuthOptions, 'users' | 'adminToken' | 'adminEmail' | 'realm' | 'accessTokens'>,
): Authenticator {
  const users: ApiUser[] = [...options.users];
  if (options.adminToken !== undefined && options.adminToken !== '') {
    users.push({
      token: options.adminToken,
      email: options.adminEmail ?? DEFAULT_ADMIN_EMAIL,
      projects: 'all',
      admin: true,
    });
  }
  const entries: Entry[] = [];
  const seen = new Set<string>();
  for (const user of users) {
    if (user.token === '') throw new Error(`user ${user.email} has an empty token`);
    const digest = sha256Hex(user.token);
    if (seen.has(digest)) throw new Error(`user ${user.email} shares a token with another user`);
    seen.add(digest);
    entries.push({ digest, principal: { email: user.email, projects: user.projects, admin: user.admin === true } });
  }
  const realm = options.realm ?? 'lwsim';
  const challenge = (error?: string): Record<string, string> => ({
    'www-authenticate': error === undefined ? `Bearer realm="${realm}"` : `Bearer realm="${realm}", error="${error}"`,
  });

  return {
    authenticate(authorization) {
      if (authorization === undefined || authorization.trim() === '') {
        throw apiError(
          'unauthorized',
          'Missing Authorization header: send "Authorization: Bearer <token>"',
          undefined,
          { headers: challenge() },
        );
      }
      const match = BEARER.exec(authorization);
      if (match === null) {
        const scheme = SCHEME.exec(authorization)?.[1] ?? '';
        const message =
          scheme.toLowerCase() === 'bearer'
            ? 'Malformed bearer token'
            : 'Authorization header must use the Bearer scheme';
        throw apiError('unauthorized', message, undefined, { headers: challenge('invalid_request') });
      }
      // Hash first so every comparison is over 64 hex digits, and compare against every user without stopping
      // early, so the time taken does not reveal which (or whether a) token matched.
      const presented = sha256Hex(match[1] ?? '');
      let found: Principal | undefined;
      for (const entry of entries) {
        const equal = constantTimeEqual(presented, entry.digest);
        found = equal ? entry.principal : found;
      }
      if (found === undefined && options.accessTokens !== undefined && AccessTokens.isJwt(match[1] ?? '')) {
        const verified = options.accessTokens.verify(match[1]!);
        if (!verified.ok)
          throw apiError('unauthorized', verified.message, undefined, { headers: challenge('invalid_token') });
        return verified.principal;
      }
      if (found === undefined)
        throw apiError('unauthorized', 'Invalid or expired token', undefined, { headers: challenge('invalid_token') });
      return found;
    },
  };
}

// The principal travels on the request itself (a decorated property: no side table for the collector to sweep).
const PRINCIPAL = Symbol('lwsim.principal');
type WithPrincipal = { [PRINCIPAL]?: Principal | null };

/** The caller of an authenticated request; throws 401 on a public route that never authenticated. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = (request as WithPrincipal)[PRINCIPAL];
  if (principal == null) throw apiError('unauthorized');
  return principal;
}

/** Whether the caller may see and act on a project (admins and `projects: 'all'` may use any). */
export function canUseProject(user: Pick<Principal, 'projects' | 'admin'>, projectName: string): boolean {
  if (user.admin === true || user.projects === 'all') return true;
  return user.projects.includes(projectName);
}

/** Refuses (403) a caller who is not an administrator: `what` is the operation, for the message. */
export function requireAdmin(request: FastifyRequest, what: string): void {
  if (!principalOf(request).admin)
    throw apiError(
      'forbidden',
      `${what} acts on the whole simulated cluster: it is for administrators (admin: true in the cluster file's users, or LWSIM_TOKEN)`,
    );
}

/**
 * Adds the authentication hook to an instance. Call it on the root instance before registering routes, so it
 * covers every route and unknown routes answer 401 before 404 (not revealing which paths exist). It runs
 * onRequest: before the body is read or validated. Public routes need no token (a valid one still names the caller).
 */
export function installAuth(app: FastifyInstance, options: AuthOptions): Authenticator {
  const authenticator = createAuthenticator(options);
  const publicRoutes = new Set(options.publicRoutes ?? []);
  // routeOptions.url is the registered pattern (undefined for unknown routes), so encodings or extra slashes in
  // the raw URL cannot make a private route look public. It is built afresh on every read, so it is consulted
  // only when a request has no valid token.
  const isPublic = (request: FastifyRequest): boolean => {
    const route = request.routeOptions.url;
    return (route !== undefined && publicRoutes.has(route)) || options.isPublic?.(request) === true;
  };
  app.decorateRequest(PRINCIPAL, null);
  const verified = new ConnectionCredentials(authenticator);
  // A callback hook, not an async one: it runs on every request, and a promise per request costs throughput.
  app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    try {
      (request as WithPrincipal)[PRINCIPAL] = verified.authenticate(request.raw.socket, request.headers.authorization);
      done();
    } catch (e) {
      done(isPublic(request) ? undefined : (e as Error));
    }
  });
  return authenticator;
}

/**
 * Authentication per connection: a keep-alive connection sends the same Authorization header with every request,
 * so the header a connection last had verified is kept with it, and the same header again (compared in constant
 * time, over the verified header's length) names the same principal without hashing the token again. Any other
 * header goes through the authenticator. Static tokens never change while the server runs; an access token is
 * taken again only until it expires.
 */
export class ConnectionCredentials {
  private readonly verified = new WeakMap<object, { readonly header: string; readonly principal: Principal }>();

  constructor(private readonly authenticator: Authenticator) {}

  authenticate(connection: object, authorization: string | undefined): Principal {
    const last = this.verified.get(connection);
    if (
      last !== undefined &&
      authorization !== undefined &&
      constantTimeEqual(last.header, authorization) &&
      (last.principal.expiresAtMs === undefined || Date.now() < last.principal.expiresAtMs)
    )
      return last.principal;
    const principal = this.authenticator.authenticate(authorization);
    this.verified.set(connection, { header: authorization!, principal });
    return principal;
  }
}
