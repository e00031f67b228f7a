import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contractAjv, validatorFor } from '../../src/contract/ajv.ts';
import { bodySchema } from '../../src/contract/contract.ts';
import { validationMessage } from '../../src/contract/validation-message.ts';
import { creationRequest } from './support/fixtures.ts';

type Body = ReturnType<typeof creationRequest>;

// The validator fastify uses for bodies: no type coercion, contract defaults filled in.
const validateBody = contractAjv('body').compile(bodySchema('create_distributed_inference')!);

/** The 400 message the API would answer with, or undefined if the body is valid. */
function messageFor(body: unknown): string | undefined {
  if (validateBody(body)) return undefined;
  return validationMessage(validateBody.errors ?? [], 'body').message;
}

function variant(mutate: (body: Body) => void): Body {
  const body = creationRequest();
  mutate(body);
  return body;
}

function leader(body: Body): Record<string, unknown> {
  return body.spec.leader as Record<string, unknown>;
}

function compute(body: Body): Record<string, unknown> {
  return leader(body).compute as Record<string, unknown>;
}

function servingPort(body: Body): Record<string, unknown> {
  return body.spec.servingPort as Record<string, unknown>;
}

function probeHttpGet(body: Body): Record<string, unknown> {
  return (leader(body).probes as { readiness: { handler: { httpGet: Record<string, unknown> } } }).readiness.handler
    .httpGet;
}

function firstMatchExpression(body: Body): Record<string, unknown> {
  const affinity = leader(body).nodeAffinityRequired as {
    nodeSelectorTerms: { matchExpressions: Record<string, unknown>[] }[];
  };
  return affinity.nodeSelectorTerms[0]!.matchExpressions[0]!;
}

function item(list: unknown, index: number): Record<string, unknown> {
  return (list as Record<string, unknown>[])[index]!;
}

describe('DistributedInferenceCreationRequest', () => {
  it('accepts a realistic request: vLLM leader and workers, GPUs, storage, probes, serving port', () => {
    const body = creationRequest();
    expect(messageFor(body)).toBeUndefined();
    // The same body also passes the non-mutating check validator, as sent.
    expect(validatorFor('DistributedInferenceCreationRequest')(creationRequest())).toBe(true);
  });

  it('accepts the smallest request: name, project and cluster only', () => {
    expect(
      messageFor({ name: 'n', projectId: '1', clusterId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0' }),
    ).toBeUndefined();
  });

  it.each<[string, (b: Body) => void, string]>([
    ['missing name', (b) => delete b.name, 'name: is required'],
    ['missing projectId', (b) => delete b.projectId, 'projectId: is required'],
    ['missing clusterId', (b) => delete b.clusterId, 'clusterId: is required'],
    ['empty name', (b) => (b.name = ''), 'name: must NOT have fewer than 1 characters'],
    ['numeric name', (b) => (b.name = 42), 'name: must be string'],
    ['clusterId not a UUID', (b) => (b.clusterId = 'cluster-1'), 'clusterId: must match format "uuid"'],
    ['templateId not a UUID', (b) => (b.templateId = '1234'), 'templateId: must match format "uuid"'],
    [
      'useGivenNameAsPrefix as a string',
      (b) => (b.useGivenNameAsPrefix = 'yes'),
      'useGivenNameAsPrefix: must be boolean',
    ],
    ['workers above 1000', (b) => (b.spec.workers = 1001), 'spec.workers: must be <= 1000'],
    ['negative workers', (b) => (b.spec.workers = -1), 'spec.workers: must be >= 0'],
    ['fractional workers', (b) => (b.spec.workers = 1.5), 'spec.workers: must be integer or null'],
    [
      'workers as a string (no coercion of JSON bodies)',
      (b) => (b.spec.workers = '2'),
      'spec.workers: must be integer or null',
    ],
    ['workers as a boolean', (b) => (b.spec.workers = true), 'spec.workers: must be integer or null'],
    ['replicas above 1000', (b) => (b.spec.replicas = 5000), 'spec.replicas: must be <= 1000'],
    ['serving port 0', (b) => (servingPort(b).port = 0), 'spec.servingPort.port: must be >= 1'],
    ['serving port above 65535', (b) => (servingPort(b).port = 65536), 'spec.servingPort.port: must be <= 65535'],
    [
      'serving protocol grpc',
      (b) => (servingPort(b).protocol = 'grpc'),
      'spec.servingPort.protocol: must be one of "http", null',
    ],
    [
      'unknown restart policy',
      (b) => (b.spec.restartPolicy = 'Always'),
      'spec.restartPolicy: must be one of "RecreateGroupOnPodRestart", "None", null',
    ],
    [
      'unknown startup policy',
      (b) => (b.spec.startupPolicy = 'LeaderStarted'),
      'spec.startupPolicy: must be one of "LeaderCreated", "LeaderReady", null',
    ],
    [
      'unknown preemptibility',
      (b) => (b.spec.preemptibility = 'maybe'),
      'spec.preemptibility: must be one of "preemptible", "non-preemptible", null',
    ],
    ['nodePools as a string', (b) => (b.spec.nodePools = 'default'), 'spec.nodePools: must be array or null'],
    ['leader as a number', (b) => (b.spec.leader = 5), 'spec.leader: must be object or null'],
    [
      'negative GPU devices',
      (b) => (compute(b).gpuDevicesRequest = -1),
      'spec.leader.compute.gpuDevicesRequest: must be >= 0',
    ],
    [
      'GPU devices as a string',
      (b) => (compute(b).gpuDevicesRequest = 'one'),
      'spec.leader.compute.gpuDevicesRequest: must be integer or null',
    ],
    [
      'unknown GPU request type',
      (b) => (compute(b).gpuRequestType = 'mig'),
      'spec.leader.compute.gpuRequestType: must be one of "portion", "memory", null',
    ],
    [
      'memory quantity with a space',
      (b) => (compute(b).cpuMemoryRequest = '12 GB'),
      'spec.leader.compute.cpuMemoryRequest: must match pattern "^([+]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"',
    ],
    [
      'unknown image pull policy',
      (b) => (leader(b).imagePullPolicy = 'Sometimes'),
      'spec.leader.imagePullPolicy: must be one of "Always", "Never", "IfNotPresent", null',
    ],
    [
      'empty environment variable name',
      (b) => (item(leader(b).environmentVariables, 1).name = ''),
      'spec.leader.environmentVariables[1].name: must NOT have fewer than 1 characters',
    ],
    [
      'unknown capability',
      (b) => (leader(b).security = { capabilities: ['FLY'] }),
      'spec.leader.security.capabilities[0]: must be one of',
    ],
    [
      'probe port out of range',
      (b) => (probeHttpGet(b).port = 70000),
      'spec.leader.probes.readiness.handler.httpGet.port: must be <= 65535',
    ],
    [
      'match expression without operator',
      (b) => delete firstMatchExpression(b).operator,
      'spec.leader.nodeAffinityRequired.nodeSelectorTerms[0].matchExpressions[0].operator: is required',
    ],
    [
      'worker toleration operator unknown',
      (b) => (item((b.spec.worker as Record<string, unknown>).tolerations, 0).operator = 'Like'),
      'spec.worker.tolerations[0].operator: must be one of "Equal", "Exists", null',
    ],
  ])('rejects %s, naming the field', (_name, mutate, expected) => {
    const message = messageFor(variant(mutate));
    expect(message).toBeDefined();
    expect(message!.startsWith(expected), message).toBe(true);
  });

  it('rejects a body that is not an object', () => {
    for (const body of [null, [], 'llama', 42]) expect(messageFor(body)).toBe('body: must be object');
  });

  it('accepts every workers and replicas value in 0..1000 and rejects every integer outside', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), fc.constantFrom('workers', 'replicas'), (n, field) => {
        const message = messageFor(variant((b) => (b.spec[field] = n)));
        if (n >= 0 && n <= 1000) expect(message).toBeUndefined();
        else expect(message).toBe(`spec.${field}: must be ${n < 0 ? '>= 0' : '<= 1000'}`);
      }),
    );
  });

  it('accepts every serving port in 1..65535 and rejects the rest', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 70_000 }), (port) => {
        const message = messageFor(variant((b) => (servingPort(b).port = port)));
        expect(message === undefined).toBe(port >= 1 && port <= 65535);
      }),
      { numRuns: 300 },
    );
  });

  it('validates a PATCH (UpdateRequest): replicas only, same bounds', () => {
    const validatePatch = contractAjv('body').compile(bodySchema('update_distributed_inference_spec')!);
    expect(validatePatch({ spec: { replicas: 3 } })).toBe(true);
    expect(validatePatch({ spec: null })).toBe(true);
    expect(validatePatch({})).toBe(true);
    expect(validatePatch({ spec: { replicas: 1001 } })).toBe(false);
    expect(validationMessage(validatePatch.errors ?? [], 'body').message).toBe('spec.replicas: must be <= 1000');
  });
});
