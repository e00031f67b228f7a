import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WorkloadState } from '../../../sim/workloads/state.ts';
import type { WorkloadKind } from '../../../sim/workloads/spec.ts';
import type { CommandResult } from '../../../sim/simulator/commands.ts';
import { canUseProject, principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { contractRoute } from '../../contract/fastify-contract.ts';
import type { CreationRequest } from '../../runai/translate.ts';
import { apiError, clusterApiError } from '../errors.ts';
import { jsonBodyText } from '../json-body.ts';
import { presentDistributedInference } from '../presenters/workload.ts';

/** Run:ai's distributed-inference operations: create, get, update (replicas), delete. */
export function distributedInferenceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // Replies of these routes are serialized with JSON.stringify: the contract's response schemas (nullable
  // compositions) make fast-json-stringify slower than that; the integration tests check every body instead.
  const plain = { responses: false } as const;

  app.route(
    contractRoute(
      'create_distributed_inference',
      async (request, reply) => {
        const body = request.body as CreationRequest;
        requireProject(ctx, request, body.projectId);
        // The request's semantic checks (clusterId, name, pods...) run as the command applies: an `invalid` is a 400.
        // The body's text as received is journaled and kept as it is (the contract's defaults are filled in again when
        // it is read back), so the request is not encoded a second time.
        const result = await ctx.live.mutate(
          { type: 'create', request: body, createdBy: principalOf(request).email },
          jsonBodyText(request),
        );
        return reply.code(202).send(presentDistributedInference(workloadOf(result), ctx.present(), body));
      },
      plain,
    ),
  );

  app.route(
    // The body is the contract's (tests check it); serialized by hand and cached per model revision, because
    // polling a workload's phase is the API's hottest path.
    contractRoute(
      'get_distributed_inference',
      async (request, reply) => {
        const workload = visibleWorkload(ctx, request, 'distributed-inference');
        const json = ctx.cachedJson(`di/${workload.id}`, () => presentDistributedInference(workload, ctx.present()));
        return reply.type('application/json; charset=utf-8').send(json);
      },
      plain,
    ),
  );

  app.route(
    contractRoute(
      'update_distributed_inference_spec',
      async (request, reply) => {
        const workload = visibleWorkload(ctx, request, 'distributed-inference');
        const replicas = (request.body as { spec?: { replicas?: number | null } | null } | undefined)?.spec?.replicas;
        if (replicas != null)
          workloadOf(await ctx.live.mutate({ type: 'scale', workload: { id: workload.id }, replicas }));
        return reply.code(202).send(presentDistributedInference(workload, ctx.present()));
      },
      plain,
    ),
  );

  app.route(
    contractRoute('delete_distributed_inference', async (request, reply) => {
      const workload = visibleWorkload(ctx, request, 'distributed-inference');
      workloadOf(await ctx.live.mutate({ type: 'delete', workload: { id: workload.id } }));
      return reply.code(202).send({ code: 202, message: 'Request has been accepted.' });
    }),
  );
}

/** A creation's project: 400 naming `projectId` when there is none, 403 when the caller may not use it. */
export function requireProject(ctx: ApiContext, request: FastifyRequest, projectId: string): void {
  const project = ctx.organisation.project(projectId);
  if (project === undefined) throw apiError('badRequest', `projectId: no project with id ${projectId}`);
  if (!canUseProject(principalOf(request), project.name))
    throw apiError('forbidden', `you may not use project ${project.name}`);
}

/**
 * A live workload the caller may see: 404 when there is none (or, with `kind`, when it is another kind of
 * workload: a training is not found as a distributed inference), 403 when it is another project's.
 */
export function visibleWorkload(
  ctx: ApiContext,
  request: FastifyRequest,
  kind?: WorkloadKind,
): Readonly<WorkloadState> {
  const { workloadId } = request.params as { workloadId: string };
  const workload = ctx.live.sync().workload(workloadId);
  if (workload === undefined || workload.deletedAt !== null)
    throw apiError('notFound', `workload ${workloadId} not found`);
  if (kind !== undefined && (workload.spec.kind ?? 'distributed-inference') !== kind)
    throw apiError(
      'notFound',
      `workloadId: ${workloadId} is a ${workload.spec.kind ?? 'distributed-inference'}, not a ${kind}`,
    );
  if (!canUseProject(principalOf(request), workload.project))
    throw apiError('forbidden', `you may not use project ${workload.project}`);
  return workload;
}

/** A command's outcome as a workload, or the matching API error. */
export function workloadOf(result: CommandResult): Readonly<WorkloadState> {
  if (result.ok) return result.value as WorkloadState;
  throw clusterApiError(result);
}
