// Who may call a workload's serving endpoint: the creation body's `spec.servingPort` access settings.
import type { Authenticator, Principal } from '../api/auth.ts';
import { apiError } from '../api/errors.ts';
import { pathOf, stringsOf } from './request-fields.ts';

export const AUTHORIZATION_TYPES = ['public', 'authenticatedUsers', 'authorizedUsers', 'authorizedGroups'] as const;
export type AuthorizationType = (typeof AUTHORIZATION_TYPES)[number];

/** Without a servingPort (or its authorizationType) the endpoint is not open to the world: any API user. */
export const DEFAULT_AUTHORIZATION_TYPE: AuthorizationType = 'authenticatedUsers';

export interface ServingAccess {
  readonly authorizationType: AuthorizationType;
  readonly authorizedUsers: readonly string[];
  readonly authorizedGroups: readonly string[];
}

function isAuthorizationType(value: unknown): value is AuthorizationType {
  return typeof value === 'string' && (AUTHORIZATION_TYPES as readonly string[]).includes(value);
}

/** The access settings of a creation body (already valid against the contract when it was accepted). */
export function servingAccess(request: unknown): ServingAccess {
  const type = pathOf(request, 'spec', 'servingPort', 'authorizationType');
  return {
    authorizationType: isAuthorizationType(type) ? type : DEFAULT_AUTHORIZATION_TYPE,
    authorizedUsers: stringsOf(pathOf(request, 'spec', 'servingPort', 'authorizedUsers')),
    authorizedGroups: stringsOf(pathOf(request, 'spec', 'servingPort', 'authorizedGroups')),
  };
}

/**
 * Checks a request's `Authorization` header against the access settings: the caller (undefined for `public`),
 * or a thrown 401 (no or bad token) / 403 (valid token, not admitted). Emails compare case-insensitively.
 * lwsim users belong to no groups, so `authorizedGroups` admits nobody.
 */
export function authorizeServing(
  access: ServingAccess,
  authenticator: Authenticator,
  authorization: string | undefined,
): Principal | undefined {
  if (access.authorizationType === 'public') return undefined;
  const principal = authenticator.authenticate(authorization);
  switch (access.authorizationType) {
    case 'authenticatedUsers':
      return principal;
    case 'authorizedUsers': {
      const email = principal.email.toLowerCase();
      if (access.authorizedUsers.some((u) => u.toLowerCase() === email)) return principal;
      throw apiError('forbidden', `user ${principal.email} is not in this workload's servingPort.authorizedUsers`);
    }
    case 'authorizedGroups':
      throw apiError(
        'forbidden',
        'servingPort.authorizationType is authorizedGroups, and lwsim users belong to no groups: nobody is admitted',
      );
  }
}
