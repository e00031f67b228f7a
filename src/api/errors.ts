// One catalogue of API errors, the Run:ai error body (`Error` schema: {code, message, details?}), and the
// fastify error and not-found handlers that make every failure, ours or fastify's, answer in that body.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClusterError } from '../../sim/simulator/simulated-cluster.ts';
import { validationMessage, type ValidationIssue, type ValidationLocation } from '../contract/validation-message.ts';
import { ClusterUnavailableError } from '../runtime/live-cluster.ts';

interface ErrorSpec {
  readonly status: number;
  readonly message: string;
}

/**
 * Stable error kinds -> HTTP status and default message. The body's `code` is the HTTP status, as in the
 * contract (`code` is an integer 100..599); the kind is for code and logs.
 */
export const API_ERRORS = {
  badRequest: { status: 400, message: 'Bad request' },
  validation: { status: 400, message: 'Request does not match the API schema' },
  malformedJson: { status: 400, message: 'Malformed JSON in request body' },
  unauthorized: { status: 401, message: 'Unauthorized' },
  forbidden: { status: 403, message: 'Forbidden' },
  notFound: { status: 404, message: 'The specified resource was not found' },
  routeNotFound: { status: 404, message: 'Route not found' },
  methodNotAllowed: { status: 405, message: 'Method not allowed' },
  requestTimeout: { status: 408, message: 'The request was not received in time' },
  conflict: { status: 409, message: 'Conflict' },
  payloadTooLarge: { status: 413, message: 'Request body is too large' },
  tooManyRequests: { status: 429, message: 'Too many requests' },
  unsupportedMediaType: { status: 415, message: 'Unsupported media type: send application/json' },
  internal: { status: 500, message: 'Internal server error' },
  unavailable: { status: 503, message: 'Service unavailable' },
} as const satisfies Readonly<Record<string, ErrorSpec>>;

export type ApiErrorKind = keyof typeof API_ERRORS;

/** The contract's `Error` schema. */
export interface ErrorBody {
  code: number;
  message: string;
  details?: string;
}

export interface ApiErrorOptions {
  /** Extra response headers, e.g. `WWW-Authenticate` on a 401. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/** An error a handler or hook can throw (or return) to answer with a catalogued status and the error body. */
export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number;
  readonly details: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(kind: ApiErrorKind, message?: string, details?: string, options: ApiErrorOptions = {}) {
    super(message ?? API_ERRORS[kind].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.kind = kind;
    this.status = API_ERRORS[kind].status;
    this.details = details;
    this.headers = options.headers ?? {};
  }

  get body(): ErrorBody {
    return this.details === undefined
      ? { code: this.status, message: this.message }
      : { code: this.status, message: this.message, details: this.details };
  }
}

/** `throw apiError('notFound', \`workload ${id} not found\`)`. */
export function apiError(kind: ApiErrorKind, message?: string, details?: string, options?: ApiErrorOptions): ApiError {
  return new ApiError(kind, message, details, options);
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** How the model's refusals answer: exhaustive, so a new refusal kind cannot go unmapped. */
export const CLUSTER_ERROR_KINDS: Readonly<Record<ClusterError['error'], ApiErrorKind>> = {
  'not-found': 'notFound',
  conflict: 'conflict',
  invalid: 'badRequest',
};

/** The API error for a refusal of the model (a command, a what-if). */
export function clusterApiError(refusal: Pick<ClusterError, 'error' | 'message'>): ApiError {
  return apiError(CLUSTER_ERROR_KINDS[refusal.error], refusal.message);
}

/** The error body for a kind, without throwing. */
export function errorBody(kind: ApiErrorKind, message?: string, details?: string): ErrorBody {
  return new ApiError(kind, message, details).body;
}

const MAX_ECHO = 200;

// Fastify's own client errors keep their status; their messages are fixed strings, safe to return.
const FASTIFY_CLIENT_ERRORS: Readonly<Record<number, ApiErrorKind>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  413: 'payloadTooLarge',
  415: 'unsupportedMediaType',
};

/**
 * Classifies anything thrown while handling a request. Client mistakes keep a 4xx status and a message
 * naming the problem; anything else is a 500 whose body says nothing about the cause.
 */
export function toApiError(error: unknown, request?: Pick<FastifyRequest, 'headers'>): ApiError {
  if (isApiError(error)) return error;
  if (!(error instanceof Error)) return apiError('internal', undefined, undefined, { cause: error });
  const fe = error as Partial<FastifyError> & Error;
  if (Array.isArray(fe.validation)) {
    const location = (fe.validationContext ?? 'body') as ValidationLocation;
    const { message, details } = validationMessage(fe.validation as readonly ValidationIssue[], location);
    return apiError('validation', message, details, { cause: error });
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = request?.headers['content-type'];
    const message =
      type === undefined
        ? API_ERRORS.unsupportedMediaType.message
        : `Unsupported media type ${JSON.stringify(clip(type))}: send application/json`;
    return apiError('unsupportedMediaType', message, undefined, { cause: error });
  }
  // The JSON parser's SyntaxError carries statusCode 400; its message says where the JSON broke.
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && fe.statusCode === 400)) {
    return apiError('malformedJson', undefined, clip(error.message), { cause: error });
  }
  // The live cluster's fail-stop after a journal failure: it cannot serve now, and says why.
  if (error instanceof ClusterUnavailableError)
    return apiError('unavailable', error.message, undefined, { cause: error });
  const status = fe.statusCode;
  if (
    typeof fe.code === 'string' &&
    fe.code.startsWith('FST_') &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500
  ) {
    return apiError(FASTIFY_CLIENT_ERRORS[status] ?? 'badRequest', error.message, undefined, { cause: error });
  }
  return apiError('internal', undefined, undefined, { cause: error });
}

/** Fastify error handler: every error becomes the documented error body; 5xx causes are logged, never sent. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiErr = toApiError(error, request);
  if (apiErr.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: apiErr.status, kind: apiErr.kind }, apiErr.message);
  return sendApiError(reply, apiErr);
}

/** Not-found handler: unknown method + path -> 404 in the error body. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0] ?? request.url;
  return sendApiError(reply, apiError('routeNotFound', `Route ${request.method} ${clip(path)} not found`));
}

/** Sends an ApiError (status, headers, body) on a reply. */
export function sendApiError(reply: FastifyReply, error: ApiError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.status).type('application/json; charset=utf-8').send(error.body);
}

/**
 * For fastify's `frameworkErrors` server option: errors raised before routing (a malformed URL such as
 * `/api/v1/workloads/%zz`, an over-long parameter) otherwise bypass the error handler and its body.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  errorHandler(error, request, reply);
}

/**
 * For fastify's `clientErrorHandler`: errors of the connection itself (a request not received within the
 * request timeout, headers too large, unparsable HTTP) answered in the error body too, then the socket closed.
 */
export function clientErrors(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, `${API_ERRORS.requestTimeout.message}: the whole request must arrive within the request timeout`]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request headers are too large']
        : [400, 'Malformed HTTP request'];
  const body = JSON.stringify({ code: status, message } satisfies ErrorBody);
  // Not into a response already under way (an event stream, say): then the connection is only closed.
  const inProgress = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (socket.writable && inProgress !== true)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(error);
}

/** Installs both handlers on an instance (the root one, so they cover every route). */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
}

function clip(text: string): string {
  return text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}...` : text;
}
