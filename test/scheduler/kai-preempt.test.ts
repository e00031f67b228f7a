/**
 * KAI-Scheduler's preempt cases as lwsim golden cases: priority preemption inside one queue.
 * Source: kai-scheduler/KAI-Scheduler @ 521a99aacceebee740f0c04b52b55ee95a5f5329,
 * pkg/scheduler/actions/preempt/preempt_test.go (TestHandlePreempt). KAI's queues there give no over-quota
 * weight (0) and no limit.
 */
import { describe, it } from 'vitest';
import { checkKai, KAI_PRIORITY, type KaiGolden } from '../support/kai.ts';

const { train, interactivePreemptible, build, inference } = KAI_PRIORITY;
const FILE = 'pkg/scheduler/actions/preempt/preempt_test.go';

const cases: KaiGolden[] = [
  {
    name: '3 train job running, 1 build job pending for the same queue - no need to preempt both',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 0.5, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job2', queue: 'queue0', gpus: 0.5, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
    ],
    gpuGroups: { running_job0: '0', running_job2: '0' },
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job1'],
  },
  {
    name: '1 train job running, 1 build job pending for the same queue - preempt',
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 1 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    name: "1 train job running, 1 train job pending for the same queue - don't preempt",
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 1 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train },
    ],
  },
  {
    name: "1 train job running, 1 build job pending for the different queue - don't preempt",
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 1 }, queue1: { deserved: 1 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 1, priority: build },
    ],
  },
  {
    name: '2 train jobs running, 1 build job with 2 GPUs pending for the same queue - preempt',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 2, priority: build },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0', 'running_job1'],
  },
  {
    name: '2 train jobs running require 2 GPUs, 1 build job with 2 GPUs pending - preempt',
    nodes: { node0: 4 },
    queues: { queue0: { deserved: 2 }, queue1: { deserved: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 2, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue1', gpus: 2, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 2, priority: build },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    name: '1 train requires 1 GPU for queue0, 1 train that requires 2 GPU for queue1, 1 build job with 2 GPUs pending - preempt',
    nodes: { node0: 4 },
    queues: { queue0: { deserved: 2 }, queue1: { deserved: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue1', gpus: 2, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 2, priority: build },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    name: '1 train, 1 preemptible interactive jobs running, 1 build job with 1 GPUs pending for the same queue - preempt train',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: interactivePreemptible, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    name: '2 preemptible interactive jobs running, 1 build job with 1 GPUs pending for the same queue - preempt',
    nodes: { node0: 2 },
    queues: { queue0: { deserved: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: interactivePreemptible, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: interactivePreemptible, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job1'],
  },
  {
    name: '1 train job, 1 preemptible interactive job with 1 GPUs pending for the same queue - preempt',
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 1 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: interactivePreemptible },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    name: "Inference shouldn't preempt interactive",
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 10 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: build, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: inference },
    ],
  },
  {
    name: "Interactive shouldn't preempt inference",
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 10 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: inference, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
    ],
  },
  {
    name: 'Inference should preempt train',
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 10 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: inference },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
];

describe(`KAI ${FILE}`, () => {
  for (const k of cases) it(`preempt_test.go: ${k.name}`, () => void checkKai(k));
});
