/**
 * A table of bad inputs: each gets its 4xx in the documented error body with a message naming the field or the
 * reason, none gets a 500, and none changes anything (the workload count and the journal stay as they were).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractErrors } from '../../../src/contract/ajv.ts';
import { PROJECT, TOKENS, creation, startLwsim, type LwsimServer } from './lwsim-server.ts';

let server: LwsimServer;
let existing = '';
beforeAll(async () => {
  server = await startLwsim();
  existing = (await server.call('POST', DI, creation('existing', { replicas: 0 }))).body.workloadId;
});
afterAll(async () => server.close());

const DI = '/api/v1/workloads/distributed-inferences';
const ADMIN = { authorization: `Bearer ${TOKENS.admin}` };
const good = () => creation('fresh') as Record<string, any>;
const withSpec = (patch: Record<string, unknown>) => ({ ...good(), spec: { ...good().spec, ...patch } });
const withLeader = (compute: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  withSpec({ leader: { image: 'x', compute, ...extra }, worker: { image: 'x', compute: { gpuDevicesRequest: 1 } } });

type Case = [
  name: string,
  method: string,
  path: string | (() => string),
  body: unknown,
  status: number,
  message: RegExp,
  headers?: Record<string, string>,
];

const cases: Case[] = [
  ['malformed JSON', 'POST', DI, '{"name": ', 400, /JSON/i],
  ['an array body', 'POST', DI, [], 400, /body.*must be object/],
  ['a string body', 'POST', DI, '"llama"', 400, /must be object/],
  ['no name', 'POST', DI, { ...good(), name: undefined }, 400, /name/],
  ['an empty name', 'POST', DI, { ...good(), name: '' }, 400, /name/],
  ['a numeric name', 'POST', DI, { ...good(), name: 42 }, 400, /name.*string/],
  ['an upper-case name', 'POST', DI, { ...good(), name: 'Llama' }, 400, /name: must be a DNS-1123 label/],
  ['a 64-character name', 'POST', DI, { ...good(), name: 'a'.repeat(64) }, 400, /name/],
  ['no projectId', 'POST', DI, { ...good(), projectId: undefined }, 400, /projectId/],
  ['an unknown projectId', 'POST', DI, { ...good(), projectId: '999' }, 400, /projectId: no project with id 999/],
  ['no clusterId', 'POST', DI, { ...good(), clusterId: undefined }, 400, /clusterId/],
  ['a clusterId that is no UUID', 'POST', DI, { ...good(), clusterId: 'cluster-1' }, 400, /clusterId.*uuid/],
  [
    'another cluster',
    'POST',
    DI,
    { ...good(), clusterId: '11111111-1111-4111-8111-111111111111' },
    400,
    /clusterId: .* is not this cluster/,
  ],
  ['negative workers', 'POST', DI, withSpec({ workers: -1 }), 400, /spec\.workers.*>= 0/],
  ['too many workers', 'POST', DI, withSpec({ workers: 1001 }), 400, /spec\.workers.*<= 1000/],
  ['workers as a string', 'POST', DI, withSpec({ workers: '2' }), 400, /spec\.workers.*integer/],
  ['too many replicas', 'POST', DI, withSpec({ replicas: 1001 }), 400, /spec\.replicas.*<= 1000/],
  ['fractional replicas', 'POST', DI, withSpec({ replicas: 1.5 }), 400, /spec\.replicas.*integer/],
  ['a serving port of 0', 'POST', DI, withSpec({ servingPort: { port: 0 } }), 400, /spec\.servingPort\.port.*>= 1/],
  [
    'a serving port of 70000',
    'POST',
    DI,
    withSpec({ servingPort: { port: 70000 } }),
    400,
    /spec\.servingPort\.port.*<= 65535/,
  ],
  ['an unknown startupPolicy', 'POST', DI, withSpec({ startupPolicy: 'Eventually' }), 400, /spec\.startupPolicy/],
  ['an unknown restartPolicy', 'POST', DI, withSpec({ restartPolicy: 'Always' }), 400, /spec\.restartPolicy/],
  ['an unknown preemptibility', 'POST', DI, withSpec({ preemptibility: 'sometimes' }), 400, /spec\.preemptibility/],
  [
    'an unknown priorityClass',
    'POST',
    DI,
    withSpec({ priorityClass: 'urgent' }),
    400,
    /spec\.priorityClass: unknown priority class "urgent"/,
  ],
  [
    'an unknown authorizationType',
    'POST',
    DI,
    withSpec({ servingPort: { port: 8000, authorizationType: 'everyone' } }),
    400,
    /authorizationType/,
  ],
  ['no leader', 'POST', DI, withSpec({ leader: undefined }), 400, /spec\.leader: is required/],
  [
    'workers without a worker',
    'POST',
    DI,
    withSpec({ workers: 2, worker: undefined }),
    400,
    /spec\.worker: is required when spec\.workers is 2/,
  ],
  [
    'two devices and a portion',
    'POST',
    DI,
    withLeader({ gpuDevicesRequest: 2, gpuPortionRequest: 0.5 }),
    400,
    /spec\.leader\.compute\.gpuDevicesRequest: is 2: a GPU portion or GPU memory can only be requested with one device/,
  ],
  ['negative devices', 'POST', DI, withLeader({ gpuDevicesRequest: -1 }), 400, /gpuDevicesRequest.*>= 0/],
  [
    'a portion type without a portion',
    'POST',
    DI,
    withLeader({ gpuRequestType: 'portion' }),
    400,
    /gpuPortionRequest: is required when gpuRequestType is portion/,
  ],
  [
    'a portion above one',
    'POST',
    DI,
    withLeader({ gpuPortionRequest: 1.5 }),
    400,
    /gpuPortionRequest: must be in \(0, 1\]/,
  ],
  ['an unknown gpuRequestType', 'POST', DI, withLeader({ gpuRequestType: 'half' }), 400, /gpuRequestType/],
  [
    'a bad GPU memory quantity',
    'POST',
    DI,
    withLeader({ gpuRequestType: 'memory', gpuMemoryRequest: 'lots' }),
    400,
    /gpuMemoryRequest/,
  ],
  ['a bad CPU memory quantity', 'POST', DI, withLeader({ cpuMemoryRequest: 'much' }), 400, /cpuMemoryRequest/],
  ['a negative CPU request', 'POST', DI, withLeader({ cpuCoreRequest: -2 }), 400, /cpuCoreRequest.*>= 0/],
  [
    'an unknown node pool',
    'POST',
    DI,
    withSpec({ nodePools: ['b200'] }),
    400,
    /spec\.nodePools: node pool b200 does not exist/,
  ],
  [
    'a bad toleration operator',
    'POST',
    DI,
    withLeader({ gpuDevicesRequest: 1 }, { tolerations: [{ key: 'k', operator: 'Like' }] }),
    400,
    /tolerations.*operator/,
  ],
  [
    'an Equal toleration without a key',
    'POST',
    DI,
    withLeader({ gpuDevicesRequest: 1 }, { tolerations: [{ operator: 'Equal', value: 'v' }] }),
    400,
    /spec\.leader\.tolerations\[0\]\.key: is required with operator Equal/,
  ],
  [
    'a podAffinity type without a key',
    'POST',
    DI,
    withLeader({ gpuDevicesRequest: 1 }, { podAffinity: { type: 'Required' } }),
    400,
    /spec\.leader\.podAffinity\.key: is required/,
  ],
  [
    'a bad affinity operator',
    'POST',
    DI,
    withLeader(
      { gpuDevicesRequest: 1 },
      { nodeAffinityRequired: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Near' }] }] } },
    ),
    400,
    /operator/,
  ],
  ['text/plain', 'POST', DI, 'name=llama', 415, /Unsupported media type/, { 'content-type': 'text/plain' }],
  ['a body over 1 MiB', 'POST', DI, { ...good(), padding: 'x'.repeat(1_100_000) }, 413, /too large/],
  [
    'negative replicas in a PATCH',
    'PATCH',
    () => `${DI}/${existing}`,
    { spec: { replicas: -1 } },
    400,
    /spec\.replicas.*>= 0/,
  ],
  [
    'replicas as text in a PATCH',
    'PATCH',
    () => `${DI}/${existing}`,
    { spec: { replicas: 'two' } },
    400,
    /spec\.replicas.*integer/,
  ],
  ['a PATCH of an array', 'PATCH', () => `${DI}/${existing}`, [1], 400, /must be object/],
  ['a PATCH of a bad id', 'PATCH', `${DI}/not-a-uuid`, { spec: { replicas: 1 } }, 400, /workloadId.*uuid/],
  [
    'a PATCH of an unknown workload',
    'PATCH',
    `${DI}/00000000-0000-4000-8000-000000000000`,
    { spec: { replicas: 1 } },
    404,
    /not found/,
  ],
  ['a DELETE of a bad id', 'DELETE', `${DI}/x`, undefined, 400, /workloadId.*uuid/],
  ['a GET of a bad id', 'GET', '/api/v1/workloads/123', undefined, 400, /workloadId.*uuid/],
  ['limit 0', 'GET', '/api/v1/workloads?limit=0', undefined, 400, /limit.*>= 1/],
  ['limit 501', 'GET', '/api/v1/workloads?limit=501', undefined, 400, /limit.*<= 500/],
  ['an unknown sortBy', 'GET', '/api/v1/workloads?sortBy=colour', undefined, 400, /sortBy/],
  ['an unknown sortOrder', 'GET', '/api/v1/workloads?sortOrder=up', undefined, 400, /sortOrder/],
  ['a filter without an operator', 'GET', '/api/v1/workloads?filterBy=name', undefined, 400, /filterBy/],
  ['a filter on an unknown field', 'GET', '/api/v1/workloads/count?filterBy=colour==red', undefined, 400, /filterBy/],
  ['deleted=maybe', 'GET', '/api/v1/workloads?deleted=maybe', undefined, 400, /deleted.*boolean/],
  ['a negative clock advance', 'POST', '/sim/v1/clock/advance', { seconds: -5 }, 400, /seconds/, ADMIN],
  ['a clock advance without seconds', 'POST', '/sim/v1/clock/advance', {}, 400, /seconds/, ADMIN],
  [
    'a fault on an unknown node',
    'POST',
    '/sim/v1/faults',
    { node: 'nowhere', ready: false },
    404,
    /node nowhere does not exist/,
    ADMIN,
  ],
  ['a fault of no known kind', 'POST', '/sim/v1/faults', { what: 'meteor' }, 400, /./],
  [
    'a fault on an unknown pod',
    'POST',
    '/sim/v1/faults',
    { workloadId: '00000000-0000-4000-8000-000000000000', pod: 'p' },
    404,
    /not found/,
  ],
];

const journalLines = () =>
  readFileSync(join(server.dataDir, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '').length;

describe(`${cases.length} bad inputs`, () => {
  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases)('%s -> %i', async (_, method, path, body, status, message, headers) => {
    const countBefore = (await server.call('GET', '/api/v1/workloads/count')).body.count;
    const linesBefore = journalLines();
    const r = await server.call(method, typeof path === 'function' ? path() : path, body, undefined, headers);
    expect(r.status, r.text).toBe(status);
    expect(contractErrors('Error', r.body)).toEqual([]);
    expect(r.body.code).toBe(status);
    expect(r.body.message).toMatch(message);
    expect((await server.call('GET', '/api/v1/workloads/count')).body.count).toBe(countBefore);
    expect(journalLines()).toBe(linesBefore);
    expect((await server.call('GET', `${DI}/${existing}`)).body.spec.replicas).toBe(0);
  });

  it('the same good request still works afterwards', async () => {
    expect((await server.call('POST', DI, { ...good(), projectId: PROJECT.serving })).status).toBe(202);
  });
});
