import { describe, expect, it } from 'vitest';
import { formatImportError } from '../../sim/import/csv.ts';
import { clusterDocument, inventoryFromOpenb, parseInventory } from '../../sim/import/inventory.ts';
import { parseOpenbNodes, parseOpenbPods } from '../../sim/import/openb.ts';
import { scenarioDocument, workloadName } from '../../sim/import/openb-scenario.ts';

const NODES = 'sn,cpu_milli,memory_mib,gpu,model\n';
const PODS = 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,creation_time,deletion_time\n';
const messages = (r: { ok: boolean; errors?: Parameters<typeof formatImportError>[0][] }) =>
  (r.errors ?? []).map(formatImportError);

describe('openb importer', () => {
  it('reads nodes and pods', () => {
    const nodes = parseOpenbNodes(
      'n.csv',
      `${NODES}openb-node-0000,64000,262144,2,P100\nopenb-node-0001,32000,131072,0,\n`,
    );
    expect(nodes.ok && nodes.items).toEqual([
      { name: 'openb-node-0000', milliCpu: 64000, memoryMib: 262144, gpuCount: 2, gpuType: 'P100' },
      { name: 'openb-node-0001', milliCpu: 32000, memoryMib: 131072, gpuCount: 0, gpuType: '' },
    ]);
    const pods = parseOpenbPods('p.csv', `${PODS}p0,6000,12288,1,460,T4|A10,5,\np1,4000,100,0,0,,7,9\n`);
    expect(pods.ok && pods.items.map((p) => [p.milliGpu, p.gpuSpec, p.deletionTime])).toEqual([
      [460, ['T4', 'A10'], null],
      [0, [], 9],
    ]);
  });

  it('names the file, line and column of a bad value', () => {
    const r = parseOpenbNodes(
      'n.csv',
      `${NODES}openb-node-0000,64000,262144,2,P100\nopenb-node-0001,64x,262144,2,P100\n`,
    );
    expect(messages(r)).toEqual(['n.csv:3:17: cpu_milli must be a non-negative integer, got "64x"']);
  });

  it('reports every bad row, with the column of each', () => {
    const r = parseOpenbPods('p.csv', `${PODS}p0,6000,12288,2,500,,0,\np1,6000,-1,1,1000,,0,\n`);
    expect(messages(r)).toEqual([
      'p.csv:2:17: a pod of 2 GPUs must take whole GPUs (1000), got 500',
      'p.csv:3:9: memory_mib must be a non-negative integer, got "-1"',
    ]);
  });

  it('refuses a GPU node without a model, a missing column and quoted fields', () => {
    expect(messages(parseOpenbNodes('n.csv', `${NODES}n0,64000,262144,2,\n`))).toEqual([
      'n.csv:2:19: model is empty on a node with 2 GPUs',
    ]);
    expect(messages(parseOpenbNodes('n.csv', 'sn,cpu_milli,gpu,model\nn0,1,2,T4\n'))[0]).toMatch(
      /^n\.csv:1:1: missing column memory_mib/,
    );
    expect(messages(parseOpenbNodes('n.csv', `${NODES}"n0",1,1,0,\n`))).toEqual([
      'n.csv:2:1: quoted fields are not supported',
    ]);
  });

  it('writes GPU types, node sets that keep the names, and a project that may use every GPU', () => {
    const nodes = parseOpenbNodes(
      'n.csv',
      `${NODES}n-0,64000,1024,2,P100\nn-1,64000,1024,2,P100\nn-2,96000,2048,8,G2\n`,
    );
    if (!nodes.ok) throw new Error('parse');
    const doc = clusterDocument(inventoryFromOpenb(nodes.items, 'openb'), { name: 'x', project: 'openb', source: 's' });
    expect(doc.gpuTypes).toEqual({
      P100: { memoryGiB: 16, source: 's: model P100' },
      G2: { memoryGiB: 16, source: 's: model G2; its memory is not given, 16 GiB assumed' },
    });
    expect(doc.nodePools).toEqual([
      {
        name: 'openb',
        placement: 'binpack',
        nodes: [
          { count: 2, namePrefix: 'n-', gpu: { model: 'P100', count: 2 }, cpu: 64, memory: '1024Mi' },
          { count: 1, namePrefix: 'n-', gpu: { model: 'G2', count: 8 }, cpu: 96, memory: '2048Mi' },
        ],
      },
    ]);
    expect(doc.departments).toEqual([
      {
        name: 'openb',
        quota: { openb: { deserved: 12 } },
        projects: [{ name: 'openb', quota: { openb: { deserved: 12 } } }],
      },
    ]);
  });

  it('turns pods into creates and deletes in time order, with GPU shares and type constraints', () => {
    const pods = parseOpenbPods('p.csv', `${PODS}p0,6000,12288,1,460,T4,50,60\nP_1,4000,100,0,0,,10,\n`);
    if (!pods.ok) throw new Error('parse');
    const doc = scenarioDocument(pods.items, { name: 's', cluster: 'cluster.yaml', project: 'openb' });
    expect(doc.timeline).toEqual([
      {
        at: '10s',
        create: {
          name: 'p-1',
          projectId: 'openb',
          spec: { leader: { image: 'openb', compute: { cpuCoreRequest: 4, cpuMemoryRequest: '100Mi' } } },
        },
      },
      {
        at: '50s',
        create: {
          name: 'p0',
          projectId: 'openb',
          spec: {
            leader: {
              image: 'openb',
              compute: {
                cpuCoreRequest: 6,
                cpuMemoryRequest: '12288Mi',
                gpuDevicesRequest: 1,
                gpuRequestType: 'portion',
                gpuPortionRequest: 0.46,
              },
              nodeAffinityRequired: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'nvidia.com/gpu.product', operator: 'In', values: ['T4'] }] },
                ],
              },
            },
          },
        },
      },
      { at: '60s', delete: { name: 'p0' } },
    ]);
    expect(workloadName('0-Pod_A')).toBe('pod-a');
  });
});

describe('generic node importer', () => {
  const HEADER = 'name,pool,cpu,memory,gpu_count,gpu_model,gpu_memory_gib\n';
  it('reads quantities, pools and declared GPU types', () => {
    const r = parseInventory('inv.csv', `${HEADER}gpu-0,a,64,256Gi,8,H100-SXM-80GB,\nbox-1,b,500m,1Gi,1,X1,24\n`);
    if (!r.ok) throw new Error(messages(r).join('\n'));
    const doc = clusterDocument(r.items, { name: 'mine', source: 'inv.csv' });
    expect(doc.gpuTypes).toEqual({ X1: { memoryGiB: 24, source: 'inv.csv: model X1' } });
    expect((doc.nodePools as { name: string }[]).map((p) => p.name)).toEqual(['a', 'b']);
  });
  it('names the place of a bad quantity or name', () => {
    const r = parseInventory('inv.csv', `${HEADER}Gpu_0,a,64,lots,0,,\n`);
    expect(messages(r)).toEqual([
      'inv.csv:2:1: name "Gpu_0" must be lower-case letters, digits, "-" or "."',
      expect.stringMatching(/^inv\.csv:2:12: memory: /),
    ]);
  });
});
