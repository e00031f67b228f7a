// The serving endpoint of a Running distributed inference: POST /serving/{workloadId}/v1/completions, the URL
// the workload lists in `urls`, answered by the tensor-parallel kernel.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ModelConfig } from '../../../sim/perf/model-config.ts';
import { servingParallelism } from '../../../sim/perf/parallelism.ts';
import type { ModelSize } from '../../../sim/perf/presets.ts';
import type { WorkloadState } from '../../../sim/workloads/state.ts';
import { authorizeServing, servingAccess } from '../../completions/access.ts';
import type {
  CompletionCheck,
  CompletionFailure,
  CompletionFailureKind,
} from '../../completions/completion-failure.ts';
import {
  checkContext,
  COMPLETION_REQUEST_SCHEMA,
  promptTokens,
  type CompletionRequest,
} from '../../completions/completion-request.ts';
import {
  completionBody,
  finalChunk,
  sseData,
  textChunk,
  type CompletionMeta,
} from '../../completions/completion-response.ts';
import { closeEnginesWithWorkloads } from '../../completions/engine-lifecycle.ts';
import { EnginePool, type EngineFactory } from '../../completions/engine-pool.ts';
import { modelChoice } from '../../completions/model-choice.ts';
import { TokenTextStream } from '../../completions/token-text.ts';
import {
  detokenize,
  EngineClosedError,
  GenerationAbortedError,
  RankFailedError,
  type GenerateResult,
  type TpEngine,
} from '../../kernel/index.ts';
import type { Authenticator } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { apiError, isApiError, toApiError, type ApiError, type ApiErrorKind } from '../errors.ts';

/** Every serving route starts here; the global auth hook leaves them to the per-workload check. */
export const SERVING_PREFIX = '/serving/';

export interface CompletionRouteOptions {
  /** The server's token table, for workloads whose servingPort needs a token. */
  readonly authenticator: Authenticator;
  /** Pool threads per engine (`--kernel-threads`). */
  readonly kernelThreads: number;
  /** Model size of workloads without a `lwsim.io/model-size` annotation. */
  readonly modelSize: ModelSize;
  /** For tests: how engines are made. */
  readonly createEngine?: EngineFactory;
}

const PARAMS = {
  type: 'object',
  required: ['workloadId'],
  properties: { workloadId: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/** How the completions room's refusals answer: exhaustive, so a new kind cannot go unmapped. */
const COMPLETION_ERROR_KINDS: Readonly<Record<CompletionFailureKind, ApiErrorKind>> = {
  forbidden: 'forbidden',
  'context-exceeded': 'validation',
  unservable: 'unavailable',
};

function completionError(failure: CompletionFailure, message = failure.message): ApiError {
  return apiError(COMPLETION_ERROR_KINDS[failure.error], message);
}

/** Throws the API error for a failed check. */
function orThrow(check: CompletionCheck): void {
  if (!check.ok) throw completionError(check);
}

/** What a request to a serving workload runs on. */
interface ServingTarget {
  readonly workload: Readonly<WorkloadState>;
  readonly size: ModelSize;
  readonly model: ModelConfig;
  readonly tp: number;
  readonly pp: number;
}

export function completionRoutes(app: FastifyInstance, ctx: ApiContext, options: CompletionRouteOptions): void {
  const pool = new EnginePool({
    threads: options.kernelThreads,
    ...(options.createEngine ? { create: options.createEngine } : {}),
  });
  const unsubscribe = closeEnginesWithWorkloads(pool, ctx.live.model.observers);
  app.addHook('onClose', async () => {
    unsubscribe();
    await pool.close();
  });

  /** 404 for an unknown or deleted workload. */
  const findWorkload = (request: FastifyRequest): Readonly<WorkloadState> => {
    const id = (request.params as { workloadId: string }).workloadId;
    const workload = ctx.live.sync().workload(id);
    if (workload === undefined || workload.deletedAt !== null) throw apiError('notFound', `workload ${id} not found`);
    return workload;
  };

  /** 503 unless the workload is Running (at the current clock) with a model it can serve. */
  const servingTarget = (workload: Readonly<WorkloadState>): ServingTarget => {
    if (workload.phase !== 'Running') {
      throw apiError(
        'unavailable',
        `workload ${workload.name} is ${workload.phase}: it serves once Running`,
        undefined,
        { headers: { 'retry-after': '5' } },
      );
    }
    const choice = modelChoice(JSON.parse(workload.request), options.modelSize);
    if (!choice.ok) throw completionError(choice, `workload ${workload.name} cannot serve: ${choice.message}`);
    return { workload, size: choice.size, model: choice.model, ...servingParallelism(workload.spec) };
  };

  app.post(
    '/serving/:workloadId/v1/completions',
    {
      schema: { params: PARAMS, body: COMPLETION_REQUEST_SCHEMA },
      // Before the body is read: an unknown workload, a caller not admitted or a workload not serving is
      // answered as such, whatever the body.
      onRequest: async (request) => {
        const workload = findWorkload(request);
        // The authenticator answers 401 itself (no or bad token, with its challenge header).
        const identify = () => options.authenticator.authenticate(request.headers.authorization);
        orThrow(authorizeServing(servingAccess(JSON.parse(workload.request)), identify));
        servingTarget(workload);
      },
    },
    async (request, reply) => {
      // Again: the workload may have stopped while the body arrived. Checking and acquiring without an await
      // in between means a release cannot slip through and leave an engine for a stopped workload.
      const target = servingTarget(findWorkload(request));
      const body = request.body as CompletionRequest;
      const prompt = promptTokens(body.prompt);
      orThrow(checkContext(prompt, body.max_tokens, target.model, target.size));
      let engine: TpEngine;
      try {
        engine = await pool.acquire(target.workload.id, target);
      } catch (err) {
        throw engineStartFailure(err);
      }
      const meta: CompletionMeta = {
        id: `cmpl-${randomUUID()}`,
        created: Math.floor((ctx.live.epochMs + ctx.live.model.now / 1000) / 1000),
        model: `lwsim-${target.size}`,
        tp: engine.tp,
        pp: engine.pp,
        threads: engine.threads,
      };
      // A client that hangs up cancels its generation (the engine serves one request at a time).
      const cancel = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableEnded) cancel.abort();
      });
      if (body.stream) return streamCompletion(request, reply, engine, prompt, body.max_tokens, meta, cancel.signal);
      let result: GenerateResult;
      try {
        result = await engine.generate(prompt, body.max_tokens, undefined, { signal: cancel.signal });
      } catch (err) {
        throw generationFailure(err);
      }
      return reply
        .type('application/json; charset=utf-8')
        .send(completionBody(meta, result, detokenize(result.tokens)));
    },
  );
}

/**
 * Server-Sent Events: a chunk per piece of new text, a last chunk with finish_reason, usage and timing, then
 * `data: [DONE]`. Headers are sent before the first token, so a failure after that is an `error` event.
 */
async function streamCompletion(
  request: FastifyRequest,
  reply: FastifyReply,
  engine: TpEngine,
  prompt: readonly number[],
  maxTokens: number,
  meta: CompletionMeta,
  signal: AbortSignal,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const text = new TokenTextStream();
  try {
    const result = await engine.generate(
      prompt,
      maxTokens,
      (id) => {
        const piece = text.push(id);
        if (piece !== '') res.write(sseData(textChunk(meta, piece)));
      },
      { signal },
    );
    res.write(sseData(finalChunk(meta, result, text.flush())));
    res.write(sseData('[DONE]'));
  } catch (err) {
    if (!(err instanceof GenerationAbortedError)) {
      const failure = toApiError(generationFailure(err));
      if (failure.status >= 500) request.log.error({ err }, 'streamed completion failed');
      res.write(sseData({ error: failure.body }));
    }
  } finally {
    res.end();
  }
}

/** The engine could not start (e.g. no memory for a large model): the workload cannot serve now. */
function engineStartFailure(err: unknown): unknown {
  if (isApiError(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return apiError(
    'unavailable',
    err instanceof EngineClosedError ? 'the server is shutting down' : `the model engine could not start: ${detail}`,
    undefined,
    { cause: err },
  );
}

/** Kernel errors in the error body; the kernel's messages name ranks and stages, nothing secret. */
function generationFailure(err: unknown): unknown {
  if (err instanceof EngineClosedError)
    return apiError('unavailable', 'the workload stopped serving during the request', undefined, { cause: err });
  if (err instanceof GenerationAbortedError)
    return apiError('badRequest', 'the request was cancelled', undefined, { cause: err });
  if (err instanceof RankFailedError)
    return apiError('internal', `inference failed: ${err.message}`, undefined, { cause: err });
  return err;
}
