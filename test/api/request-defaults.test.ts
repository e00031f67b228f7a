// A creation is journaled and kept as the client sent it, without the defaults that validating it filled in.
// Replaying it must give the same workload, so translation has to apply the contract's defaults itself.
import { describe, expect, it } from 'vitest';
import { withContractDefaults } from '../../src/contract/ajv.ts';
import { translateCreation, type CreationRequest } from '../../src/runai/translate.ts';
import { CLUSTER_ID, creationRequest } from './support/fixtures.ts';

const context = { clusterId: CLUSTER_ID, projectName: (id: string) => (id === '4501' ? 'team' : undefined) };

/** The realistic request, with a priority class lwsim knows. */
function realistic(): Record<string, unknown> & { spec: Record<string, unknown> } {
  const body = creationRequest();
  body.spec.priorityClass = 'high';
  return body;
}

/** The realistic request without every field for which the contract declares a default. */
function withoutDefaultedFields(): Record<string, unknown> {
  const body = realistic();
  delete body.useGivenNameAsPrefix;
  for (const field of ['workers', 'replicas', 'startupPolicy', 'restartPolicy']) delete body.spec[field];
  delete (body.spec.servingPort as Record<string, unknown>).protocol;
  delete (body.spec.servingPort as Record<string, unknown>).exposeExternally;
  return body;
}

const cases: [string, Record<string, unknown>][] = [
  [
    'the smallest request with a leader',
    { name: 'small', projectId: '4501', clusterId: CLUSTER_ID, spec: { leader: { image: 'vllm' } } },
  ],
  ['a realistic request without its defaulted fields', withoutDefaultedFields()],
  ['a realistic request with all of them', realistic()],
];

describe('a request as sent and with the contract defaults', () => {
  it.each(cases)('%s translates to the same spec', (_, body) => {
    const asSent = structuredClone(body) as unknown as CreationRequest;
    const defaulted = withContractDefaults(
      'DistributedInferenceCreationRequest',
      structuredClone(body),
    ) as unknown as CreationRequest;
    const translated = translateCreation(asSent, context);
    expect(translated.ok).toBe(true);
    expect(translated).toEqual(translateCreation(defaulted, context));
  });

  it('fills in the defaults a request omits, and leaves the values it sent', () => {
    const defaulted = withContractDefaults('DistributedInferenceCreationRequest', withoutDefaultedFields()) as {
      useGivenNameAsPrefix: boolean;
      spec: Record<string, unknown>;
    };
    expect(defaulted.useGivenNameAsPrefix).toBe(false);
    expect([
      defaulted.spec.workers,
      defaulted.spec.replicas,
      defaulted.spec.startupPolicy,
      defaulted.spec.restartPolicy,
    ]).toEqual([0, 1, 'LeaderCreated', 'RecreateGroupOnPodRestart']);
    expect(defaulted.spec.servingPort).toMatchObject({ protocol: 'http', exposeExternally: true });
    const sent = withContractDefaults('DistributedInferenceCreationRequest', creationRequest()) as {
      spec: Record<string, unknown>;
    };
    expect([sent.spec.workers, sent.spec.replicas, sent.spec.startupPolicy]).toEqual([1, 2, 'LeaderReady']);
  });
});
