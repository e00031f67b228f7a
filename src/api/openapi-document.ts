import { getContract } from '../contract/contract.ts';
import { SIM_SCHEMAS } from './routes/simulator.ts';
import { CAPACITY_SCHEMA } from './routes/capacity.ts';
import { WHAT_IF_SCHEMA } from './routes/what-if.ts';
import { MANIFEST_SCHEMA } from './routes/manifest.ts';
import { COMPLETION_REQUEST_SCHEMA } from '../completions/completion-request.ts';

const errorResponse = {
  description: 'error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const ok = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });

/**
 * The OpenAPI document of the whole server: Run:ai's operations exactly as the contract states them, plus the
 * simulator's own surfaces under /sim/v1.
 */
export function serverOpenApiDocument(): Record<string, unknown> {
  const contract = getContract().document as unknown as {
    paths: Record<string, unknown>;
    info: Record<string, unknown>;
  } & Record<string, unknown>;
  const sim: Record<string, unknown> = {
    '/sim/v1/cluster': {
      get: {
        operationId: 'sim_get_cluster',
        tags: ['Simulator'],
        responses: {
          200: ok('cluster, node pools, nodes, departments and projects with quotas and allocation'),
          401: errorResponse,
        },
      },
    },
    '/sim/v1/clock': {
      get: {
        operationId: 'sim_get_clock',
        tags: ['Simulator'],
        responses: { 200: ok('the simulated clock'), 401: errorResponse },
      },
    },
    '/sim/v1/clock/advance': {
      post: {
        operationId: 'sim_advance_clock',
        tags: ['Simulator'],
        requestBody: { content: { 'application/json': { schema: SIM_SCHEMAS.advance } } },
        responses: {
          200: ok('the clock after the advance'),
          400: errorResponse,
          401: errorResponse,
          409: errorResponse,
        },
      },
    },
    '/sim/v1/journal/compact': {
      post: {
        operationId: 'sim_compact_journal',
        tags: ['Simulator'],
        responses: {
          200: ok('the snapshot written: its file, size in bytes and simulated time; the journal restarts from it'),
          401: errorResponse,
          403: errorResponse,
          409: errorResponse,
        },
      },
    },
    '/sim/v1/faults': {
      post: {
        operationId: 'sim_inject_fault',
        tags: ['Simulator'],
        requestBody: { content: { 'application/json': { schema: SIM_SCHEMAS.fault } } },
        responses: {
          202: ok('accepted'),
          400: errorResponse,
          401: errorResponse,
          403: errorResponse,
          404: errorResponse,
        },
      },
    },
    '/sim/v1/what-if': {
      post: {
        operationId: 'sim_what_if',
        tags: ['Simulator'],
        summary:
          'What if this workload were submitted now? Answered by a fork of the live cluster, which is not touched.',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                ...WHAT_IF_SCHEMA,
                properties: {
                  ...WHAT_IF_SCHEMA.properties,
                  request: { $ref: '#/components/schemas/DistributedInferenceCreationRequest' },
                },
              },
            },
          },
        },
        responses: {
          200: ok(
            'schedulable or not and why, pod placements, time to Running, preempted workloads, GPU allocation after',
          ),
          400: errorResponse,
          401: errorResponse,
          403: errorResponse,
          409: errorResponse,
        },
      },
    },
    '/sim/v1/capacity': {
      post: {
        operationId: 'sim_capacity_search',
        tags: ['Simulator'],
        summary:
          'Start a capacity search (lwsim capacity): the cheapest deployment serving a traffic within SLOs, found by simulation on worker threads. Side-effect free.',
        requestBody: { content: { 'application/json': { schema: CAPACITY_SCHEMA } } },
        responses: {
          202: ok('the search: id, status running, progress; Location names where to follow it'),
          400: errorResponse,
          401: errorResponse,
          429: errorResponse,
        },
      },
    },
    '/sim/v1/capacity/{id}': {
      get: {
        operationId: 'sim_capacity_search_status',
        tags: ['Simulator'],
        summary:
          'A capacity search: status, progress and, when succeeded, the answer under result (as lwsim capacity --json)',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: { 200: ok('the search'), 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    '/sim/v1/workloads/{workloadId}/serving': {
      get: {
        operationId: 'sim_workload_serving',
        tags: ['Simulator'],
        summary:
          'How a workload with traffic (the cluster file traffic:) has served its clients since its creation, in vllm bench serve terms.',
        parameters: [{ name: 'workloadId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          200: ok('the deployment, vllm bench serve result keys under result, lwsim figures and series under lwsim'),
          400: errorResponse,
          401: errorResponse,
          403: errorResponse,
          404: errorResponse,
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'prometheus_metrics',
        tags: ['Simulator'],
        summary:
          "Prometheus text exposition: KAI-Scheduler's queue and scheduling metrics, kube-state-metrics' nodes and pods, vLLM's engine metrics per workload with traffic. Administrators only.",
        responses: {
          200: { description: 'the metrics', content: { 'text/plain': {} } },
          401: errorResponse,
          403: errorResponse,
        },
      },
    },
    '/sim/v1/workloads/{workloadId}/manifest': {
      get: {
        operationId: 'sim_workload_manifest',
        tags: ['Simulator'],
        summary:
          'The Kubernetes objects a real cluster would run for a distributed inference: a leaderworkerset.x-k8s.io/v1 LeaderWorkerSet and, with a serving port, its Service (lwsim export).',
        parameters: [
          { name: 'workloadId', in: 'path', required: true, schema: MANIFEST_SCHEMA.params.properties.workloadId },
          { name: 'format', in: 'query', required: false, schema: MANIFEST_SCHEMA.querystring.properties.format },
        ],
        responses: {
          200: {
            description: 'YAML documents (the LeaderWorkerSet, then the Service), or with format=json a v1 List',
            content: { 'application/yaml': {}, 'application/json': { schema: { type: 'object' } } },
          },
          400: errorResponse,
          401: errorResponse,
          403: errorResponse,
          404: errorResponse,
          409: errorResponse,
        },
      },
    },
    '/sim/v1/events': {
      get: {
        operationId: 'sim_events',
        tags: ['Simulator'],
        responses: {
          200: { description: 'Server-Sent Events', content: { 'text/event-stream': {} } },
          401: errorResponse,
        },
      },
    },
    '/serving/{workloadId}/v1/completions': {
      post: {
        operationId: 'serving_completions',
        tags: ['Simulator'],
        summary: 'OpenAI-compatible completions from a Running distributed inference (the URL it lists in urls)',
        parameters: [{ name: 'workloadId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { content: { 'application/json': { schema: COMPLETION_REQUEST_SCHEMA } } },
        responses: {
          200: {
            description: 'a completion (or, with stream, Server-Sent Events ending with data: [DONE])',
            content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': {} },
          },
          400: errorResponse,
          401: errorResponse,
          403: errorResponse,
          404: errorResponse,
          503: errorResponse,
        },
      },
    },
    '/sim/v1/openapi.json': {
      get: { operationId: 'sim_openapi', tags: ['Simulator'], security: [], responses: { 200: ok('this document') } },
    },
  };
  return {
    ...contract,
    info: { ...contract.info, title: 'lwsim: NVIDIA Run:ai 2.24 distributed inference API, simulated' },
    tags: [...((contract.tags as unknown[]) ?? []), { name: 'Simulator' }],
    paths: { ...contract.paths, ...sim },
  };
}
