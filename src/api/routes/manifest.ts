import type { FastifyInstance } from 'fastify';
import { withContractDefaults } from '../../contract/ajv.ts';
import { lwsManifest } from '../../export/lws-manifest.ts';
import { manifestText, type ManifestFormat } from '../../export/manifest-text.ts';
import type { ExportRequest } from '../../export/request-spec.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { NODE_POOL_LABEL } from '../presenters/inventory.ts';
import { visibleWorkload } from './distributed-inferences.ts';

export const MANIFEST_ROUTE = '/sim/v1/workloads/:workloadId/manifest';

export const MANIFEST_SCHEMA = {
  params: {
    type: 'object',
    required: ['workloadId'],
    properties: { workloadId: { type: 'string', format: 'uuid' } },
  },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { format: { type: 'string', enum: ['yaml', 'json'], default: 'yaml' } },
  },
} as const;

const CONTENT_TYPES: Readonly<Record<ManifestFormat, string>> = {
  yaml: 'application/yaml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/**
 * `GET /sim/v1/workloads/{workloadId}/manifest`: the Kubernetes objects a real cluster would run for a distributed
 * inference (src/export), from its request as received and its current replicas. Whoever may GET the workload may
 * read its manifest; anyone else gets the same 404 or 403.
 */
export function manifestRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(MANIFEST_ROUTE, { schema: MANIFEST_SCHEMA }, async (request, reply) => {
    const workload = visibleWorkload(ctx, request);
    if (workload.spec.runFor !== undefined)
      throw apiError('notFound', `workload ${workload.id} is a training, not a distributed inference`);
    const { format } = request.query as { format: ManifestFormat };
    const { layout } = ctx.live.model.scheduler.cluster;
    const made = lwsManifest({
      request: withContractDefaults(
        'DistributedInferenceCreationRequest',
        JSON.parse(workload.request) as ExportRequest,
      ),
      spec: { ...workload.spec, replicas: workload.replicas },
      nodePools: layout.pools.map((p) => ({ name: p.name, labelKey: NODE_POOL_LABEL, labelValue: p.name })),
    });
    // The API took a request this cannot spell (a command with an unclosed quote): the workload is as it is.
    if (!made.ok) throw apiError('conflict', `workload ${workload.name} has no Kubernetes manifest: ${made.message}`);
    return reply.type(CONTENT_TYPES[format]).send(manifestText(made.manifest, format));
  });
}
