// POST /api/v1/token: application credentials for an access token (no bearer token needed to ask).
import type { FastifyInstance } from 'fastify';
import { contractRoute } from '../../contract/fastify-contract.ts';
import type { AccessTokens, TokenRequest } from '../access-tokens.ts';
import { apiError } from '../errors.ts';

export const TOKEN_ROUTE = '/api/v1/token';

export function tokenRoutes(app: FastifyInstance, tokens: AccessTokens): void {
  app.route(
    contractRoute('grant_token', async (request) => {
      const grant = tokens.grant(request.body as TokenRequest);
      if (!grant.ok) throw apiError(grant.error, grant.message);
      return { accessToken: grant.accessToken, expiresIn: grant.expiresIn };
    }),
  );
}
