/**
 * KAI-Scheduler's allocate cases as lwsim golden cases: gang allocation and the quota gates.
 * Source: kai-scheduler/KAI-Scheduler @ 521a99aacceebee740f0c04b52b55ee95a5f5329,
 * pkg/scheduler/actions/allocate/allocateGang_test.go (TestHandleGangAllocation). KAI's queues there give no
 * over-quota weight (0) and no limit.
 */
import { describe, it } from 'vitest';
import { checkKai, KAI_PRIORITY, type KaiGolden } from '../support/kai.ts';

const { train, build } = KAI_PRIORITY;
const FILE = 'pkg/scheduler/actions/allocate/allocateGang_test.go';

const cases: KaiGolden[] = [
  {
    // Preemptible work may go over quota: two GPUs on a deserved quota of one.
    name: 'Allocate train gang job',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 1 } },
    jobs: [{ name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train, tasks: 2 }],
    placed: { pending_job0: ['node0', 'node0'] },
  },
  {
    name: 'Allocate build gang job',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [{ name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build, tasks: 2 }],
    placed: { pending_job0: ['node0', 'node0'] },
  },
  {
    name: 'Allocate build gang job on 2 nodes',
    nodes: { node0: 1, node1: 1 },
    queues: { queue0: { deserved: 2 } },
    jobs: [{ name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build, tasks: 2 }],
    placed: { pending_job0: ['node0', 'node1'] },
  },
  {
    name: "Don't allocate gang job if not all tasks are allocatable",
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [{ name: 'pending_job0', queue: 'queue0', gpus: 2, priority: build, tasks: 2 }],
    // Four GPUs fit neither the node nor the deserved quota of two; lwsim checks quota first, so that is its reason.
    codes: { pending_job0: 'NonPreemptibleOverQuota' },
  },
  {
    // Non-preemptible work stays inside deserved quota: four GPUs on a deserved quota of three.
    name: "Don't allocate gang interactive job if it will go over quota",
    nodes: { node0: 10 },
    queues: { queue0: { deserved: 3 } },
    jobs: [{ name: 'pending_job0', queue: 'queue0', gpus: 2, priority: build, tasks: 2 }],
    codes: { pending_job0: 'NonPreemptibleOverQuota' },
  },
];

describe(`KAI ${FILE}`, () => {
  for (const k of cases) it(`allocateGang_test.go: ${k.name}`, () => void checkKai(k));
});
