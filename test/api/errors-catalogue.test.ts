import { describe, expect, it } from 'vitest';
import { validatorFor } from '../../src/contract/ajv.ts';
import {
  API_ERRORS,
  apiError,
  ApiError,
  errorBody,
  clusterApiError,
  toApiError,
  type ApiErrorKind,
} from '../../src/api/errors.ts';
import { ClusterUnavailableError } from '../../src/runtime/live-cluster.ts';

describe('the error catalogue', () => {
  it('maps every kind to a status, and every body to the contract Error schema', () => {
    const statuses = Object.fromEntries(Object.entries(API_ERRORS).map(([kind, spec]) => [kind, spec.status]));
    expect(statuses).toEqual({
      badRequest: 400,
      validation: 400,
      malformedJson: 400,
      unauthorized: 401,
      forbidden: 403,
      notFound: 404,
      routeNotFound: 404,
      methodNotAllowed: 405,
      requestTimeout: 408,
      conflict: 409,
      payloadTooLarge: 413,
      tooManyRequests: 429,
      unsupportedMediaType: 415,
      internal: 500,
      unavailable: 503,
    });
    const isErrorBody = validatorFor('Error');
    for (const kind of Object.keys(API_ERRORS) as ApiErrorKind[]) {
      expect(isErrorBody(errorBody(kind))).toBe(true);
      expect(isErrorBody(errorBody(kind, 'custom', 'more'))).toBe(true);
    }
  });

  it('builds {code, message, details?}: details only when given', () => {
    expect(apiError('conflict', 'Workload llama already exists in project research').body).toEqual({
      code: 409,
      message: 'Workload llama already exists in project research',
    });
    expect(apiError('notFound', undefined, 'workload 123').body).toEqual({
      code: 404,
      message: 'The specified resource was not found',
      details: 'workload 123',
    });
    const error = apiError('forbidden');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ApiError);
    expect([error.kind, error.status]).toEqual(['forbidden', 403]);
  });
});

describe('toApiError', () => {
  it('keeps ApiErrors as they are', () => {
    const error = apiError('unavailable', 'starting');
    expect(toApiError(error)).toBe(error);
  });

  it('turns fastify validation errors into a 400 naming the field', () => {
    const error = Object.assign(new Error('body/spec/workers must be <= 1000'), {
      statusCode: 400,
      code: 'FST_ERR_VALIDATION',
      validationContext: 'body',
      validation: [
        {
          keyword: 'maximum',
          instancePath: '/spec/workers',
          schemaPath: '#/maximum',
          params: { limit: 1000 },
          message: 'must be <= 1000',
        },
      ],
    });
    expect(toApiError(error).body).toEqual({ code: 400, message: 'spec.workers: must be <= 1000' });
  });

  it('keeps the status of fastify client errors, and hides everything else behind a 500', () => {
    const fastify413 = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(toApiError(fastify413).status).toBe(413);
    const fastify415 = Object.assign(new Error('Unsupported Media Type'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    });
    expect(toApiError(fastify415, { headers: { 'content-type': 'text/csv' } }).body.message).toBe(
      'Unsupported media type "text/csv": send application/json',
    );
    const json = Object.assign(new Error("Body is not valid JSON but content-type is set to 'application/json'"), {
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
    });
    expect(toApiError(json).kind).toBe('malformedJson');
    const fastify500 = Object.assign(new Error('internal detail'), {
      code: 'FST_ERR_CTP_INVALID_PARSE_TYPE',
      statusCode: 500,
    });
    expect(toApiError(fastify500).body).toEqual({ code: 500, message: 'Internal server error' });
    expect(toApiError(new TypeError('x is undefined')).body).toEqual({ code: 500, message: 'Internal server error' });
    expect(toApiError('a thrown string').status).toBe(500);
    expect(toApiError(Object.assign(new Error('secret'), { statusCode: 404 })).status).toBe(500);
  });

  it("answers the live cluster's fail-stop with a 503 by its class, not by a statusCode it might carry", () => {
    expect(toApiError(new ClusterUnavailableError('the journal failed: disk full')).body).toEqual({
      code: 503,
      message: 'the journal failed: disk full',
    });
    expect(toApiError(Object.assign(new Error('secret'), { statusCode: 503 })).status).toBe(500);
  });

  it("maps the model's refusals through one table", () => {
    expect(clusterApiError({ error: 'not-found', message: 'workload w not found' }).body).toEqual({
      code: 404,
      message: 'workload w not found',
    });
    expect(clusterApiError({ error: 'conflict', message: 'c' }).kind).toBe('conflict');
    expect(clusterApiError({ error: 'invalid', message: 'i' }).kind).toBe('badRequest');
  });
});
