/**
 * KAI-Scheduler's topology-aware allocate cases as lwsim golden cases: a gang kept inside one domain of a
 * topology level, required or preferred. Source: kai-scheduler/KAI-Scheduler @
 * 521a99aacceebee740f0c04b52b55ee95a5f5329, pkg/scheduler/actions/allocate/allocateTopology_test.go
 * (TestHandleTopologyAllocation). KAI's levels k8s.io/rack and k8s.io/spine are lwsim's `rack` and `spine`
 * (outermost first, as KAI lists them); a spine is named with its rack, since KAI tells spine1 of rack1 from spine1
 * of rack2 by its path. Every case has queue0 (deserved = limit = the cluster's GPUs, weight 1) under
 * department-a (deserved the same).
 */
import { describe, it } from 'vitest';
import type { TopologyConstraint } from '../../sim/scheduler/index.ts';
import { checkKai, KAI_PRIORITY, type KaiGolden, type KaiNode } from '../support/kai.ts';

const { train } = KAI_PRIORITY;
const FILE = 'pkg/scheduler/actions/allocate/allocateTopology_test.go';

const required = (level: string): TopologyConstraint => ({ key: `lwsim.io/topology.${level}`, required: true });
const preferred = (level: string): TopologyConstraint => ({ key: `lwsim.io/topology.${level}`, required: false });
const node = (gpus: number, rack: string, spine?: string): KaiNode => ({
  gpus,
  topology: spine === undefined ? { rack } : { rack, spine: `${rack}-${spine}` },
});
const queue = (gpus: number) => ({
  departments: { 'department-a': { deserved: gpus } },
  queues: { queue0: { deserved: gpus, limit: gpus, weight: 1, parent: 'department-a' } },
});
/** Four 2-GPU nodes: rack1 holds spine1 (node0) and spine2 (node1), rack2 holds spine1 (node2) and spine2 (node3). */
const fourNodes = {
  levels: ['rack', 'spine'],
  nodes: {
    node0: node(2, 'rack1', 'spine1'),
    node1: node(2, 'rack1', 'spine2'),
    node2: node(2, 'rack2', 'spine1'),
    node3: node(2, 'rack2', 'spine2'),
  },
};

const cases: KaiGolden[] = [
  {
    name: 'Required topology level - schedule all tasks on the same rack',
    levels: ['rack'],
    nodes: { node0: node(1, 'rack1'), node1: node(1, 'rack1'), node2: node(1, 'rack2'), node3: node(1, 'rack2') },
    ...queue(4),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train, tasks: 2, topology: required('rack') },
    ],
    placed: { pending_job0: ['node2', 'node3'] },
  },
  {
    name: 'Required topology level - could not schedule on first domain due to affinity, goes to next',
    levels: ['rack'],
    nodes: {
      node0: node(1, 'rack1'),
      node1: node(1, 'rack1'),
      node2: { ...node(1, 'rack2'), labels: { 'kai/affinity': 'affinity1' } },
      node3: { ...node(1, 'rack2'), labels: { 'kai/affinity': 'affinity1' } },
    },
    ...queue(4),
    jobs: [
      {
        name: 'pending_job0',
        queue: 'queue0',
        gpus: 1,
        priority: train,
        tasks: 2,
        affinity: ['affinity1'],
        topology: required('rack'),
      },
    ],
    placed: { pending_job0: ['node2', 'node3'] },
  },
  {
    name: 'Required topology with multiple levels - schedule all tasks on the same spine',
    levels: ['rack', 'spine'],
    nodes: { node0: node(2, 'rack1', 'spine1'), node1: node(2, 'rack1', 'spine2') },
    ...queue(4),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train, tasks: 2, topology: required('spine') },
    ],
    placed: { pending_job0: ['node1', 'node1'] },
  },
  {
    name: 'Required topology with multiple levels - schedule all tasks on the same rack',
    ...fourNodes,
    ...queue(8),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train, tasks: 4, topology: required('rack') },
    ],
    placed: { pending_job0: ['node2', 'node2', 'node3', 'node3'] },
  },
  {
    // KAI: pending_job0-0 on node0 (its one free GPU, bin-packing inside the rack) and pending_job0-1 on node1.
    // lwsim tries the tightest domain first even below the required level, and spine rack1-spine2 (node1) holds the
    // whole gang, so both tasks go to node1 (README: "Where lwsim is simpler than KAI").
    name: 'Required topology with multiple levels - schedule all tasks on the same partially occupied rack',
    levels: ['rack', 'spine'],
    nodes: { node0: node(2, 'rack1', 'spine1'), node1: node(2, 'rack1', 'spine2') },
    ...queue(8),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train, tasks: 2, topology: required('rack') },
    ],
    placed: { pending_job0: ['node1', 'node1'] },
  },
  {
    name: 'Required topology with multiple levels - job remains pending as no available rack can be found',
    ...fourNodes,
    ...queue(8),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node2'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train, tasks: 4, topology: required('rack') },
    ],
    codes: { pending_job0: 'Unschedulable' },
  },
  {
    name: 'Preferred topology - schedule job on the same rack',
    levels: ['rack'],
    nodes: { node0: node(2, 'rack1'), node1: node(2, 'rack2') },
    ...queue(4),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train, tasks: 2, topology: preferred('rack') },
    ],
    placed: { pending_job0: ['node1', 'node1'] },
  },
  {
    name: "Preferred topology - schedule job even if preferred constraint can't be met",
    levels: ['rack'],
    nodes: { node0: node(2, 'rack1'), node1: node(2, 'rack2') },
    ...queue(4),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node1'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train, tasks: 2, topology: preferred('rack') },
    ],
    // KAI has task 0 on node1 and task 1 on node0; the tasks are identical and lwsim gives the leader node0.
    placed: { pending_job0: ['node0', 'node1'] },
  },
  {
    // KAI's job requires a rack and prefers a spine; an lwsim gang has one topology constraint, so it states the
    // required rack only. No spine has two free GPUs, so KAI's preference changes nothing here.
    name: 'Combined preferred and required topology constraints - schedule job although preferred constraint cannot be satisfied',
    ...fourNodes,
    ...queue(8),
    jobs: [
      {
        name: 'running_job0',
        queue: 'queue0',
        gpus: 1,
        priority: train,
        on: ['node0', 'node0', 'node1', 'node2', 'node3'],
      },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train, tasks: 2, topology: required('rack') },
    ],
    // KAI has task 0 on node3 and task 1 on node2; the tasks are identical and lwsim gives the leader node2.
    placed: { pending_job0: ['node2', 'node3'] },
  },
];

describe(`KAI ${FILE}`, () => {
  for (const k of cases) it(`allocateTopology_test.go: ${k.name}`, () => void checkKai(k));
});
