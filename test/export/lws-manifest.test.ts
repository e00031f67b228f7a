import { describe, expect, it } from 'vitest';
import { exportTarget, manifestFromRequest } from '../../src/export/from-request.ts';
import type { WorkloadManifest } from '../../src/export/lws-manifest.ts';
import { manifestText } from '../../src/export/manifest-text.ts';
import { parse, parseAllDocuments } from 'yaml';
import { CLUSTER_ID, TEST_CLUSTER } from '../api/live/lwsim-server.ts';
import { manifestProblems } from './manifest-check.ts';

const target = exportTarget(TEST_CLUSTER);
const IMAGE = 'vllm/vllm-openai:v0.8.5';

function request(spec: Record<string, unknown>, name = 'llama') {
  return { name, projectId: '101', clusterId: CLUSTER_ID, spec };
}

/** The manifest of a good request, after checking that a cluster would take it. */
function exported(spec: Record<string, unknown>): WorkloadManifest {
  const made = manifestFromRequest(request(spec), target);
  if (!made.ok) throw new Error(made.message);
  expect(manifestProblems(made.manifest)).toEqual([]);
  return made.manifest;
}

describe('lwsManifest: a distributed inference as a LeaderWorkerSet and its Service', () => {
  it('maps whole GPUs, workers, replicas, policies, command, env and the serving port', () => {
    const m = exported({
      workers: 1,
      replicas: 2,
      startupPolicy: 'LeaderReady',
      restartPolicy: 'None',
      servingPort: { port: 8000 },
      leader: {
        image: IMAGE,
        command: 'sh -c',
        args: '"ray start --head && vllm serve meta-llama/Llama-3.1-70B --tensor-parallel-size 8 --pipeline-parallel-size $(LWS_GROUP_SIZE)"',
        environmentVariables: [
          { name: 'HF_TOKEN', secret: { name: 'hf', key: 'token' } },
          { name: 'NCCL_DEBUG', value: 'INFO' },
          { name: 'POD_IP', podFieldRef: { path: 'status.podIP' } },
          { name: 'DROPPED', value: 'x', exclude: true },
        ],
        compute: { gpuDevicesRequest: 8, cpuCoreRequest: 16, cpuMemoryRequest: '256Gi', cpuMemoryLimit: '512Gi' },
      },
      worker: {
        image: IMAGE,
        command: 'sh -c "ray start --address=$(LWS_LEADER_ADDRESS):6379 --block"',
        compute: { gpuDevicesRequest: 8, largeShmRequest: true },
      },
    });
    const lws = m.leaderWorkerSet;
    expect(lws.metadata).toEqual({ name: 'llama', namespace: 'runai-serving', labels: { 'runai/queue': 'serving' } });
    expect(lws.spec).toMatchObject({
      replicas: 2,
      startupPolicy: 'LeaderReady',
      leaderWorkerTemplate: { size: 2, restartPolicy: 'None' },
    });
    const leader = lws.spec.leaderWorkerTemplate.leaderTemplate!;
    expect(leader.metadata?.labels).toEqual({ 'runai/queue': 'serving' });
    expect(leader.spec?.schedulerName).toBe('runai-scheduler');
    const [container] = leader.spec!.containers;
    expect(container).toMatchObject({
      name: 'leader',
      image: IMAGE,
      command: ['sh', '-c'],
      args: [expect.stringMatching(/^ray start --head && vllm serve .* \$\(LWS_GROUP_SIZE\)$/)],
      resources: { requests: { cpu: '16', memory: '256Gi' }, limits: { memory: '512Gi', 'nvidia.com/gpu': '8' } },
      ports: [{ name: 'http', containerPort: 8000, protocol: 'TCP' }],
    });
    expect(container!.env).toEqual([
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
      { name: 'NCCL_DEBUG', value: 'INFO' },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
    // LWS's webhook injects its own variables: a manifest writer does not.
    expect(JSON.stringify(lws)).not.toMatch(/"name":"LWS_/);
    const worker = lws.spec.leaderWorkerTemplate.workerTemplate;
    expect(worker.spec?.containers[0]).toMatchObject({
      name: 'worker',
      command: ['sh', '-c', 'ray start --address=$(LWS_LEADER_ADDRESS):6379 --block'],
      volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }],
    });
    expect(worker.spec?.containers[0]?.ports).toBeUndefined();
    expect(worker.spec?.volumes).toEqual([{ name: 'dshm', emptyDir: { medium: 'Memory' } }]);
    expect(m.service).toMatchObject({
      metadata: { name: 'llama-leader', namespace: 'runai-serving' },
      spec: {
        selector: { 'leaderworkerset.sigs.k8s.io/name': 'llama', 'leaderworkerset.sigs.k8s.io/worker-index': '0' },
        ports: [{ port: 8000, targetPort: 8000 }],
      },
    });
  });

  it('puts a leader alone (no workers) in the worker template, with size 1 and no Service without a port', () => {
    const m = exported({ leader: { image: IMAGE, compute: { gpuDevicesRequest: 1 } } });
    const lwt = m.leaderWorkerSet.spec.leaderWorkerTemplate;
    expect(lwt.size).toBe(1);
    expect(lwt.leaderTemplate).toBeUndefined();
    expect(lwt.workerTemplate.spec?.containers[0]?.name).toBe('leader');
    expect(m.service).toBeNull();
    expect(m.leaderWorkerSet.spec).toMatchObject({ replicas: 1, startupPolicy: 'LeaderCreated' });
  });

  it.each([
    ['a GPU portion', { gpuPortionRequest: 0.5 }, { 'gpu-fraction': '0.5' }],
    ['GPU memory', { gpuRequestType: 'memory', gpuMemoryRequest: '20Gi' }, { 'gpu-memory': '20480' }],
    ['a whole portion', { gpuPortionRequest: 1 }, undefined],
  ])('asks for %s the way Run:ai shares GPUs: a pod annotation', (_what, compute, annotations) => {
    const m = exported({ leader: { image: IMAGE, compute, annotations: [{ name: 'team', value: 'nlp' }] } });
    const pod = m.leaderWorkerSet.spec.leaderWorkerTemplate.workerTemplate;
    expect(pod.metadata?.annotations).toEqual({ team: 'nlp', ...annotations });
    const gpus = pod.spec?.containers[0]?.resources?.limits?.['nvidia.com/gpu'];
    expect(gpus).toBe(annotations === undefined ? '1' : undefined);
  });

  it('keeps one node pool by node selector and several in order by affinity', () => {
    const one = exported({ nodePools: ['l40s'], leader: { image: IMAGE } });
    const onePod = one.leaderWorkerSet.spec.leaderWorkerTemplate.workerTemplate;
    expect(onePod.spec?.nodeSelector).toEqual({ 'run.ai/node-pool': 'l40s' });
    expect(onePod.metadata?.labels).toMatchObject({ 'runai/node-pool': 'l40s' });
    const two = exported({
      nodePools: ['h100', 'l40s'],
      leader: {
        image: IMAGE,
        nodeType: 'h100',
        nodeAffinityRequired: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
            { matchExpressions: [{ key: 'fast', operator: 'Exists' }] },
          ],
        },
      },
    });
    const spec = two.leaderWorkerSet.spec.leaderWorkerTemplate.workerTemplate.spec!;
    expect(spec.nodeSelector).toEqual({ 'run.ai/type': 'h100' });
    const pools = { key: 'run.ai/node-pool', operator: 'In', values: ['h100', 'l40s'] };
    expect(spec.affinity?.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, pools] },
          { matchExpressions: [{ key: 'fast', operator: 'Exists' }, pools] },
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          preference: { matchExpressions: [{ key: 'run.ai/node-pool', operator: 'In', values: ['h100'] }] },
        },
        {
          weight: 99,
          preference: { matchExpressions: [{ key: 'run.ai/node-pool', operator: 'In', values: ['l40s'] }] },
        },
      ],
    });
  });

  it('maps tolerations, pod affinity per group, priority class, storage and security', () => {
    const m = exported({
      workers: 1,
      priorityClass: 'high',
      leader: {
        image: IMAGE,
        podAffinity: { type: 'Preferred', key: 'lwsim.io/topology.rack' },
        tolerations: [
          { key: 'dedicated', operator: 'Equal', value: 'inference', effect: 'NoSchedule' },
          { operator: 'Exists', effect: 'Any' },
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', seconds: 30 },
          { key: 'gone', operator: 'Exists', exclude: true },
        ],
        storage: {
          pvc: [{ claimName: 'models', path: '/models', readOnly: true, existingPvc: true }],
          configMapVolume: [
            { name: 'cfg', configMap: 'serving-config', mountPath: '/etc/serving', defaultMode: '0644' },
          ],
        },
        security: { runAsUid: 1000, runAsGid: 1000, runAsNonRoot: true, supplementalGroups: '2000, 3000' },
      },
      worker: { image: IMAGE },
    });
    const lwt = m.leaderWorkerSet.spec.leaderWorkerTemplate;
    const leader = lwt.leaderTemplate!.spec!;
    expect(leader.priorityClassName).toBe('high');
    expect(leader.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'inference', effect: 'NoSchedule' },
      { operator: 'Exists' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    ]);
    // The group, not the whole set, shares a rack: both templates carry the term.
    for (const pod of [leader, lwt.workerTemplate.spec!])
      expect(pod.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'lwsim.io/topology.rack',
            labelSelector: { matchLabels: { 'leaderworkerset.sigs.k8s.io/name': 'llama' } },
            matchLabelKeys: ['leaderworkerset.sigs.k8s.io/group-key'],
          },
        },
      ]);
    expect(leader.volumes).toEqual([
      { name: 'cfg', configMap: { name: 'serving-config', defaultMode: 0o644 } },
      { name: 'pvc-0', persistentVolumeClaim: { claimName: 'models', readOnly: true } },
    ]);
    expect(leader.containers[0]?.volumeMounts).toEqual([
      { name: 'cfg', mountPath: '/etc/serving' },
      { name: 'pvc-0', mountPath: '/models', readOnly: true },
    ]);
    expect(leader.securityContext).toEqual({ supplementalGroups: [2000, 3000] });
    expect(leader.containers[0]?.securityContext).toEqual({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true });
  });

  it('writes YAML documents (LWS, then Service) and a JSON List of the same objects', () => {
    const m = exported({ servingPort: { port: 8000 }, leader: { image: IMAGE, command: 'vllm serve x' } });
    const yaml = manifestText(m, 'yaml');
    expect(yaml).not.toMatch(/[&*]a\d/);
    const docs = parseAllDocuments(yaml).map((d) => d.toJS() as { kind: string });
    expect(docs.map((d) => d.kind)).toEqual(['LeaderWorkerSet', 'Service']);
    const list = parse(manifestText(m, 'json')) as { kind: string; items: unknown[] };
    expect(list.kind).toBe('List');
    expect(list.items).toEqual(docs);
  });

  it.each([
    [{ spec: { workers: '2' } }, 'spec.workers: must be integer'],
    [
      { spec: { leader: { image: IMAGE, command: 'sh -c "unclosed' } } },
      'spec.leader.command: has an unclosed double quote',
    ],
    [{ spec: { leader: { image: IMAGE, args: "it's" } } }, 'spec.leader.args: has an unclosed single quote'],
    [{ spec: { workers: 1, leader: { image: IMAGE } } }, 'spec.worker: is required when spec.workers is 1'],
    [{ projectId: '999', spec: { leader: { image: IMAGE } } }, 'projectId: no project with id 999'],
    [{ name: 'Bad_Name', spec: { leader: { image: IMAGE } } }, /^name: must be a DNS-1123 label/],
    [
      { spec: { leader: { image: IMAGE, compute: { gpuDevicesRequest: 2, gpuPortionRequest: 0.5 } } } },
      /^spec\.leader\.compute\.gpuDevicesRequest: is 2/,
    ],
    [
      { spec: { leader: { image: IMAGE, security: { supplementalGroups: 'staff' } } } },
      'spec.leader.security.supplementalGroups: "staff" is not a group id (examples: 1000,2000)',
    ],
  ])('refuses %j naming the field', (overrides, message) => {
    const made = manifestFromRequest({ ...request({}), ...overrides }, target);
    expect(made.ok).toBe(false);
    if (!made.ok) expect(made.message).toMatch(message);
  });
});
