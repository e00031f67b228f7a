import type { FastifyInstance } from 'fastify';
import { seconds, toSeconds } from '../../../sim/engine/index.ts';
import { whatIf } from '../../../sim/simulator/what-if.ts';
import { canUseProject, principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { contractRef } from '../../contract/contract.ts';
import { translateCreation, type CreationRequest } from '../../runai/translate.ts';
import { apiError, clusterApiError } from '../errors.ts';

/** A creation request exactly as the real POST takes it, and how far ahead to look. */
export const WHAT_IF_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['request'],
  properties: {
    request: { $ref: contractRef('DistributedInferenceCreationRequest') },
    horizonSeconds: { type: 'number', minimum: 0, maximum: 31 * 86_400, default: 3600 },
  },
} as const;

/**
 * `POST /sim/v1/what-if`: what would happen if this workload were submitted now? A fork of the live model takes
 * it and runs ahead; the answer says whether and where it would run, how soon, whom it would preempt, and the GPU
 * allocation after. The live model, its journal and its clock are untouched.
 */
export function whatIfRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/sim/v1/what-if', { schema: { body: WHAT_IF_SCHEMA } }, async (request) => {
    const { request: body, horizonSeconds } = request.body as { request: CreationRequest; horizonSeconds: number };
    const project = ctx.organisation.project(body.projectId);
    if (project === undefined) throw apiError('badRequest', `request.projectId: no project with id ${body.projectId}`);
    if (!canUseProject(principalOf(request), project.name))
      throw apiError('forbidden', `you may not use project ${project.name}`);
    const translated = translateCreation(body, {
      clusterId: ctx.clusterId,
      projectName: (id) => ctx.organisation.project(id)?.name,
    });
    if (!translated.ok) throw apiError('badRequest', `request.${translated.message}`);
    const answer = whatIf(ctx.live.sync(), {
      spec: translated.spec,
      useGivenNameAsPrefix: body.useGivenNameAsPrefix ?? false,
      createdBy: principalOf(request).email,
      request: JSON.stringify(body),
      horizon: seconds(horizonSeconds),
    });
    if (!answer.ok) throw clusterApiError(answer);
    return {
      name: answer.name,
      schedulable: answer.schedulable,
      phase: answer.phase,
      simulatedFrom: ctx.clock.iso(answer.from),
      simulatedUntil: ctx.clock.iso(answer.until),
      timeToScheduledSeconds: answer.placedAfter === null ? null : toSeconds(answer.placedAfter),
      timeToRunningSeconds: answer.runningAfter === null ? null : toSeconds(answer.runningAfter),
      pendingReason: answer.pending,
      pods: answer.pods,
      preempted: answer.evicted,
      allocationAfter: { nodePools: answer.allocation.pools, queues: answer.allocation.queues },
    };
  });
}
