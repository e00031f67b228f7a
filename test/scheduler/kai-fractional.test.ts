/**
 * KAI-Scheduler's fractional-GPU allocate cases as lwsim golden cases: GPU sharing, and quota and limits counted
 * in fractions. Source: kai-scheduler/KAI-Scheduler @ 521a99aacceebee740f0c04b52b55ee95a5f5329,
 * pkg/scheduler/actions/allocate/allocateFractionalGpu_test.go (TestHandleFractionalGPUAllocation). KAI's
 * GPUGroups (which device a fraction is on) become `gpuGroups`: equal labels share a device, different ones don't.
 */
import { describe, it } from 'vitest';
import { checkKai, KAI_PRIORITY, type KaiGolden } from '../support/kai.ts';

const { train, build } = KAI_PRIORITY;
const FILE = 'pkg/scheduler/actions/allocate/allocateFractionalGpu_test.go';

const cases: KaiGolden[] = [
  {
    name: 'allocate job with multiple pods but does not allow it because project goes over allowance',
    nodes: { node0: 4 },
    departments: { 'department-a': { deserved: 1, limit: 1 } },
    queues: { queue0: { deserved: 1, weight: 1, limit: 1, parent: 'department-a' } },
    jobs: [{ name: 'pending_job0', queue: 'queue0', gpus: 0.5, priority: train, tasks: 3 }],
    codes: { pending_job0: 'OverLimit' },
  },
  {
    name: 'allocate job with multiple pods but does not allow it because department to go over allowance',
    nodes: { node0: 4 },
    departments: { 'department-a': { deserved: 1, limit: 1 } },
    queues: { queue0: { deserved: 1, weight: 1, parent: 'department-a' } },
    jobs: [{ name: 'pending_job0', queue: 'queue0', gpus: 0.5, priority: train, tasks: 3 }],
    codes: { pending_job0: 'OverLimit' },
  },
  {
    name: '1 shared gpu job running, 1 pending interactive shared gpu job, allocate to same gpu',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_shared_gpu_job0', queue: 'queue0', gpus: 0.5, priority: build, on: ['node0'] },
      { name: 'pending_shared_gpu_job1', queue: 'queue0', gpus: 0.5, priority: build },
    ],
    placed: { pending_shared_gpu_job1: ['node0'] },
    gpuGroups: { running_shared_gpu_job0: '1', pending_shared_gpu_job1: '1' },
  },
  {
    name: '1 shared gpu job running, 1 pending interactive shared gpu job, allocate to same gpu - even if multiple nodes, to check gpusharingorder plugin',
    nodes: { node0: 2, node1: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_shared_gpu_job0', queue: 'queue0', gpus: 0.5, priority: build, on: ['node1'] },
      { name: 'pending_shared_gpu_job1', queue: 'queue0', gpus: 0.5, priority: build },
    ],
    placed: { pending_shared_gpu_job1: ['node1'] },
    gpuGroups: { running_shared_gpu_job0: '1', pending_shared_gpu_job1: '1' },
  },
  {
    name: '1 shared gpu job running, 1 pending interactive shared gpu job - allocate to new gpu',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_shared_gpu_job0', queue: 'queue0', gpus: 0.6, priority: build, on: ['node0'] },
      { name: 'pending_shared_gpu_job1', queue: 'queue0', gpus: 0.5, priority: build },
    ],
    placed: { pending_shared_gpu_job1: ['node0'] },
    gpuGroups: { running_shared_gpu_job0: '0', pending_shared_gpu_job1: '1' },
  },
  {
    // 0.6 + 0.5 GPUs of non-preemptible work on a deserved quota of 1.
    name: "1 shared gpu job running, 1 pending interactive shared gpu job - queue will be overused, don't allocate",
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 1 } },
    jobs: [
      { name: 'running_shared_gpu_job0', queue: 'queue0', gpus: 0.6, priority: build, on: ['node0'] },
      { name: 'pending_shared_gpu_job1', queue: 'queue0', gpus: 0.5, priority: build },
    ],
    codes: { pending_shared_gpu_job1: 'NonPreemptibleOverQuota' },
  },
  {
    name: '1 whole gpu job running, 1 pending interactive shared gpu job - allocate',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_shared_gpu_job1', queue: 'queue0', gpus: 0.5, priority: build },
    ],
    placed: { pending_shared_gpu_job1: ['node0'] },
  },
  {
    name: '1 shared gpu interactive job running, 1 pending whole gpu job - allocate',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_shared_gpu_job0', queue: 'queue0', gpus: 0.5, priority: build, on: ['node0'] },
      { name: 'pending_whole_gpu_job1', queue: 'queue0', gpus: 1, priority: train },
    ],
    placed: { pending_whole_gpu_job1: ['node0'] },
  },
  {
    // KAI keeps pending_shared_gpu_job2 out because no device has half a GPU left; lwsim stops it one step
    // earlier, at the quota gate (0.5 + 0.6 + 0.5 + 0.5 GPUs of non-preemptible work on a deserved quota of 2).
    name: '1 interactive shared gpu job running, 4 pending interactive shared gpus pending - allocate 3 of the shared GPUs jobs',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_shared_gpu_job0', queue: 'queue0', gpus: 0.5, priority: build, on: ['node0'] },
      { name: 'pending_shared_gpu_job0', queue: 'queue0', gpus: 0.6, priority: build },
      { name: 'pending_shared_gpu_job1', queue: 'queue0', gpus: 0.5, priority: build },
      { name: 'pending_shared_gpu_job2', queue: 'queue0', gpus: 0.5, priority: build },
      { name: 'pending_shared_gpu_job3', queue: 'queue0', gpus: 0.3, priority: build },
    ],
    placed: {
      pending_shared_gpu_job0: ['node0'],
      pending_shared_gpu_job1: ['node0'],
      pending_shared_gpu_job3: ['node0'],
    },
    gpuGroups: {
      running_shared_gpu_job0: '0',
      pending_shared_gpu_job0: '1',
      pending_shared_gpu_job1: '0',
      pending_shared_gpu_job3: '1',
    },
    codes: { pending_shared_gpu_job2: 'NonPreemptibleOverQuota' },
  },
  {
    name: 'Verify allocated fractional GPU jobs are counted in the overall number of GPUs the default department will have',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 0.5, priority: build, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
    ],
    placed: { pending_job0: ['node0'] },
  },
  {
    name: 'Allow allocation of fractional training when over quota with fractional jobs',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 1 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 0.5, priority: build, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 0.5, priority: build, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 0.5, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    gpuGroups: { running_job0: '0', running_job1: '0', pending_job0: '1' },
  },
  {
    // KAI's table has two cases of this name; this is the second (a whole GPU running).
    name: 'Allow allocation of fractional training when over quota with fractional jobs',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 1 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: build, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 0.5, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
  },
  {
    // KAI (GPU spread strategy): the fraction opens a GPU on the empty node1. lwsim fills an already shared device
    // first in spread pools too, so it goes to node0's half-used GPU (README: "Where lwsim is simpler than KAI").
    name: 'Spread across nodes, when 1 node has shared GPU',
    nodes: { node0: 2, node1: 2 },
    placement: 'spread',
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 0.5, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 0.2, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    gpuGroups: { running_job0: '0', pending_job0: '0' },
  },
  {
    name: 'Pack jobs on nodes',
    nodes: { node0: 2, node1: 2 },
    queues: { queue0: { deserved: 4 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 0.5, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 0.2, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    gpuGroups: { running_job0: '0', pending_job0: '0' },
  },
];

describe(`KAI ${FILE}`, () => {
  cases.forEach((k, i) => {
    const twin = cases.findIndex((c) => c.name === k.name) !== i ? ' (the second of that name)' : '';
    it(`allocateFractionalGpu_test.go: ${k.name}${twin}`, () => void checkKai(k));
  });
});
