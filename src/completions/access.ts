// Who may call a workload's serving endpoint: the creation body's `spec.servingPort` access settings.
import { COMPLETION_OK, type CompletionCheck } from './completion-failure.ts';
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

/** Who is calling, as far as admission cares (the API's authenticated principal has this shape). */
export interface ServingCaller {
  readonly email: string;
}

/**
 * Checks a caller against the access settings. `identify` authenticates the request's caller; it is called
 * only when the access needs one, so `public` ignores any token, and its own failure (no or bad token) is the
 * caller's concern, not this check's. Emails compare case-insensitively. lwsim users belong to no groups, so
 * `authorizedGroups` admits nobody.
 */
export function authorizeServing(access: ServingAccess, identify: () => ServingCaller): CompletionCheck {
  if (access.authorizationType === 'public') return COMPLETION_OK;
  const caller = identify();
  switch (access.authorizationType) {
    case 'authenticatedUsers':
      return COMPLETION_OK;
    case 'authorizedUsers': {
      const email = caller.email.toLowerCase();
      if (access.authorizedUsers.some((u) => u.toLowerCase() === email)) return COMPLETION_OK;
      return forbidden(`user ${caller.email} is not in this workload's servingPort.authorizedUsers`);
    }
    case 'authorizedGroups':
      return forbidden(
        'servingPort.authorizationType is authorizedGroups, and lwsim users belong to no groups: nobody is admitted',
      );
  }
}

function forbidden(message: string): CompletionCheck {
  return { ok: false, error: 'forbidden', message };
}
