/**
 * KAI-Scheduler's allocate integration cases as lwsim golden cases: deserved quota, over-quota, limits and the
 * order queues are served in, over a whole cycle. Source: kai-scheduler/KAI-Scheduler @
 * 521a99aacceebee740f0c04b52b55ee95a5f5329, pkg/scheduler/actions/integration_tests/allocate/allocate_test.go
 * (TestAllocateIntegrationTest). KAI's queues there give no over-quota weight (0) unless stated.
 */
import { describe, it } from 'vitest';
import { checkKai, KAI_PRIORITY, type KaiGolden } from '../support/kai.ts';

const { train, build } = KAI_PRIORITY;
const FILE = 'pkg/scheduler/actions/integration_tests/allocate/allocate_test.go';

const cases: KaiGolden[] = [
  {
    name: 'allocate job but does not allow to project to go over allowance',
    nodes: { node0: 4 },
    departments: { 'department-a': { deserved: 2 } },
    queues: { queue0: { deserved: 2, weight: 2, limit: 2, parent: 'department-a' } },
    jobs: [
      { name: 'pending_job0', queue: 'queue0', gpus: 2, priority: train },
      { name: 'pending_job1', queue: 'queue0', gpus: 2, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    codes: { pending_job1: 'OverLimit' },
  },
  {
    name: 'allocate job but does not allow to department to go over allowance',
    nodes: { node0: 4 },
    departments: { 'department-a': { deserved: 2, limit: 2 } },
    queues: { queue0: { deserved: 2, parent: 'department-a' } },
    jobs: [
      { name: 'pending_job0', queue: 'queue0', gpus: 2, priority: train },
      { name: 'pending_job1', queue: 'queue0', gpus: 2, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    codes: { pending_job1: 'OverLimit' },
  },
  {
    name: 'allocate pending jobs, allow over quota for train jobs (with interactive jobs)',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 1 }, queue1: { deserved: 1 } },
    jobs: [
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
      { name: 'pending_job1', queue: 'queue0', gpus: 1, priority: train },
    ],
    placed: { pending_job0: ['node0'], pending_job1: ['node0'] },
  },
  {
    name: "don't allocate over quota build jobs",
    nodes: { node0: 4 },
    queues: { queue0: { deserved: 1 }, queue1: { deserved: 1 } },
    jobs: [{ name: 'pending_job0', queue: 'queue0', gpus: 2, priority: build }],
    codes: { pending_job0: 'NonPreemptibleOverQuota' },
  },
  {
    name: 'allocate according to creation time when share is equal',
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 1 }, queue1: { deserved: 1 } },
    jobs: [
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
      { name: 'pending_job1', queue: 'queue1', gpus: 1, priority: build },
    ],
    placed: { pending_job0: ['node0'] },
  },
  {
    name: 'allocate according to priority',
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 1 }, queue1: { deserved: 1, priority: 1 } },
    jobs: [
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
      { name: 'pending_job1', queue: 'queue1', gpus: 1, priority: build },
    ],
    placed: { pending_job1: ['node0'] },
  },
  {
    // Both queues' fair share is 1 GPU; KAI ranks them by allocated / max(deserved, fair share), so queue1
    // (deserved 2) goes first. lwsim divided by the fair share alone and served queue0 by name until this case.
    name: '1 build job pending for each queue with different share - allocate the second',
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 1 }, queue1: { deserved: 2 } },
    jobs: [
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
      { name: 'pending_job1', queue: 'queue1', gpus: 1, priority: build },
    ],
    placed: { pending_job1: ['node0'] },
  },
  {
    name: '6 pending train jobs - allocate the 1st 2 of each queue (verify the share is being updated during the allocation)',
    nodes: { node0: 4 },
    queues: { queue0: { deserved: 1 }, queue1: { deserved: 1 } },
    jobs: [
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train },
      { name: 'pending_job1', queue: 'queue0', gpus: 1, priority: train },
      { name: 'pending_job2', queue: 'queue0', gpus: 1, priority: train },
      { name: 'pending_job3', queue: 'queue1', gpus: 1, priority: train },
      { name: 'pending_job4', queue: 'queue1', gpus: 1, priority: train },
      { name: 'pending_job5', queue: 'queue1', gpus: 1, priority: train },
    ],
    placed: {
      pending_job0: ['node0'],
      pending_job1: ['node0'],
      pending_job3: ['node0'],
      pending_job4: ['node0'],
    },
  },
];

describe(`KAI ${FILE}`, () => {
  for (const k of cases) it(`integration allocate_test.go: ${k.name}`, () => void checkKai(k));
});
