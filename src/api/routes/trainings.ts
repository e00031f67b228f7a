// Run:ai's training operations: create, get, delete, suspend, resume. A training is preemptible work competing
// with inference for the same GPUs (a what-if shows whom an inference would reclaim); suspend scales it to no
// pods and resume brings its pod back, through the journal like every change.
import type { FastifyInstance } from 'fastify';
import { contractRoute } from '../../contract/fastify-contract.ts';
import type { TrainingRequest } from '../../runai/translate-training.ts';
import { principalOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { jsonBodyText } from '../json-body.ts';
import { presentTraining } from '../presenters/workload.ts';
import { requireProject, visibleWorkload, workloadOf } from './distributed-inferences.ts';

const ACCEPTED = { code: 202, message: 'Request has been accepted.' };

export function trainingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const plain = { responses: false } as const;

  app.route(
    contractRoute(
      'create_training1',
      async (request, reply) => {
        const body = request.body as TrainingRequest;
        requireProject(ctx, request, body.projectId);
        const result = await ctx.live.mutate(
          { type: 'create', kind: 'training', request: body, createdBy: principalOf(request).email },
          jsonBodyText(request),
        );
        return reply.code(202).send(presentTraining(workloadOf(result), ctx.present(), body));
      },
      plain,
    ),
  );

  app.route(
    contractRoute(
      'get_training',
      async (request) => presentTraining(visibleWorkload(ctx, request, 'training'), ctx.present()),
      plain,
    ),
  );

  app.route(
    contractRoute('delete_training', async (request, reply) => {
      const workload = visibleWorkload(ctx, request, 'training');
      workloadOf(await ctx.live.mutate({ type: 'delete', workload: { id: workload.id } }));
      return reply.code(202).send(ACCEPTED);
    }),
  );

  for (const [operation, replicas] of [
    ['suspend_training', 0],
    ['resume_training', 1],
  ] as const)
    app.route(
      contractRoute(operation, async (request, reply) => {
        const workload = visibleWorkload(ctx, request, 'training');
        // Suspending a suspended training (or resuming a running or completed one) changes nothing, journals nothing.
        if (workload.completedAt === null && workload.replicas !== replicas)
          workloadOf(await ctx.live.mutate({ type: 'scale', workload: { id: workload.id }, replicas }));
        return reply.code(202).send(ACCEPTED);
      }),
    );
}
