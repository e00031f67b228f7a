/**
 * KAI-Scheduler's reclaim cases as lwsim golden cases: fair-share reclaim between queues.
 * Source: kai-scheduler/KAI-Scheduler @ 521a99aacceebee740f0c04b52b55ee95a5f5329,
 * pkg/scheduler/actions/reclaim/reclaim_test.go (TestHandleReclaim). Each case keeps KAI's name and data; where
 * lwsim's answer differs from KAI's, the case asserts lwsim's and quotes KAI's (README: "Where lwsim is simpler
 * than KAI").
 */
import { describe, it } from 'vitest';
import { checkKai, KAI_PRIORITY, type KaiGolden } from '../support/kai.ts';

const { train, interactivePreemptible, build, inference } = KAI_PRIORITY;
const FILE = 'pkg/scheduler/actions/reclaim/reclaim_test.go';

const twoQueues = (deserved: number, weight: number) => ({
  queue0: { deserved, weight },
  queue1: { deserved, weight },
});

const cases: KaiGolden[] = [
  {
    name: 'Reclaim jobs according to queue fair share',
    nodes: { node0: 6 },
    departments: { d1: { deserved: 1 } },
    queues: {
      queue0: { deserved: 1, weight: 1, parent: 'd1' },
      queue1: { deserved: 1, weight: 1, parent: 'd1' },
      reclaimer_queue: { deserved: 2, weight: 0, parent: 'd1' },
    },
    jobs: [
      { name: 'q0_running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'q0_running_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'q0_running_job2', queue: 'queue0', gpus: 1, priority: train - 1, on: ['node0'] },
      { name: 'q1_running_job0', queue: 'queue1', gpus: 1, priority: train, on: ['node0'] },
      { name: 'q1_running_job1', queue: 'queue1', gpus: 1, priority: train, on: ['node0'] },
      { name: 'q1_running_job2', queue: 'queue1', gpus: 1, priority: train - 1, on: ['node0'] },
      { name: 'reclaimer', queue: 'reclaimer_queue', gpus: 1, priority: train, tasks: 2 },
    ],
    placed: { reclaimer: ['node0', 'node0'] },
    evicted: ['q0_running_job2', 'q1_running_job2'],
  },
  {
    name: 'queue1 is under deserved quota, queue0 is over deserved quota and will go below quota - reclaim',
    nodes: { node0: 16, node1: 16 },
    queues: twoQueues(10, 1),
    jobs: [
      { name: 'q0_running_job', queue: 'queue0', gpus: 10, priority: train, on: ['node0', 'node1'] },
      { name: 'q1_pending_job', queue: 'queue1', gpus: 10, priority: train },
    ],
    placed: { q1_pending_job: ['node0'] },
    evicted: ['q0_running_job'],
  },
  {
    name: 'queue1 is under deserved quota, queue0 is over deserved quota but under fair share - reclaim',
    nodes: { node0: 3, node1: 3, node2: 3, node3: 3, node4: 3, node5: 3 },
    queues: twoQueues(2, 1),
    jobs: [
      ...[0, 1, 2, 3, 4, 5].map((i) => ({
        name: `q0_running_job${i}`,
        queue: 'queue0',
        gpus: 2,
        priority: train,
        on: [`node${i}`],
      })),
      { name: 'q0_pending_job6', queue: 'queue0', gpus: 2, priority: train },
      { name: 'q0_pending_job7', queue: 'queue0', gpus: 2, priority: train },
      { name: 'q0_pending_job8', queue: 'queue0', gpus: 2, priority: train },
      { name: 'q1_pending_job0', queue: 'queue1', gpus: 2, priority: train },
    ],
    placed: { q1_pending_job0: ['node5'] },
    evicted: ['q0_running_job5'],
  },
  {
    name: 'queue0 is over fair share, queue1 is under fair share - reclaim for job with multiple tasks',
    nodes: { node0: 1, node1: 1, node2: 1, node3: 1 },
    queues: { queue0: { deserved: 0, weight: 0 }, queue1: { deserved: 2, weight: 1 } },
    jobs: [
      { name: 'q0_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'q0_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node1'] },
      { name: 'q0_job2', queue: 'queue0', gpus: 1, priority: train, on: ['node2'] },
      // Named q1_ but submitted to queue0 in KAI's table.
      { name: 'q1_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node3'] },
      { name: 'q1_job1', queue: 'queue1', gpus: 1, priority: train, tasks: 4 },
    ],
    // KAI names no nodes (all four are needed); lwsim takes the freed nodes last-freed first.
    placed: { q1_job1: ['node3', 'node2', 'node1', 'node0'] },
    evicted: ['q0_job0', 'q0_job1', 'q0_job2', 'q1_job0'],
  },
  {
    name: 'queue0 is over fair share, queue1 is under fair share - reclaim for job with multiple tasks from job with multiple tasks',
    nodes: { node0: 1, node1: 1, node2: 1, node3: 1 },
    queues: { queue0: { deserved: 1, weight: 0 }, queue1: { deserved: 2, weight: 1 } },
    jobs: [
      { name: 'q0_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0', 'node1', 'node2'] },
      { name: 'q0_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node3'] },
      { name: 'q1_job1', queue: 'queue1', gpus: 1, priority: train, tasks: 3 },
    ],
    placed: { q1_job1: ['node0', 'node1', 'node2'] },
    evicted: ['q0_job0'],
  },
  {
    name: 'reclaim from multiple queues running on multiple nodes for a job with multiple tasks',
    nodes: { node0: 2, node1: 2 },
    queues: {
      queue0: { deserved: 0, weight: 0 },
      queue1: { deserved: 1, weight: 0 },
      queue2: { deserved: 3, weight: 0 },
    },
    jobs: [
      { name: 'job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'job1', queue: 'queue1', gpus: 1, priority: train, on: ['node0'] },
      { name: 'job2', queue: 'queue0', gpus: 1, priority: train, on: ['node1'] },
      { name: 'job3', queue: 'queue1', gpus: 1, priority: train, on: ['node1'] },
      { name: 'pending_job', queue: 'queue2', gpus: 1, priority: train, tasks: 3 },
    ],
    // KAI does not name the nodes; lwsim bin-packs the leader onto node0's one free GPU.
    placed: { pending_job: ['node0', 'node1', 'node1'] },
    evicted: ['job0', 'job2', 'job3'],
  },
  {
    name: '2 jobs from queue0 running on node0 - 2 pending jobs from queue1 - reclaim',
    nodes: { node0: 2 },
    queues: twoQueues(1, 1),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 1, priority: train },
      { name: 'pending_job1', queue: 'queue1', gpus: 1, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job1'],
  },
  {
    name: "1 job from queue0 and 1 job from queue1 running on node0 - don't reclaim",
    nodes: { node0: 2 },
    queues: twoQueues(1, 1),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue1', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: train },
      { name: 'pending_job1', queue: 'queue1', gpus: 1, priority: train },
    ],
  },
  {
    name: '2 jobs from queue0 running on node0 (1 train, 1 build)- 2 pending jobs from queue1 - reclaim train',
    nodes: { node0: 2 },
    queues: twoQueues(1, 1),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: build, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 1, priority: train },
      { name: 'pending_job1', queue: 'queue1', gpus: 1, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    name: "Queues are over provisioned, ratio between queues are equal, yet don't reclaim since number of used GPUs is equal to the deserved GPUs",
    nodes: { node0: 2 },
    queues: twoQueues(2, 2),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 1, priority: train },
      { name: 'pending_job1', queue: 'queue1', gpus: 1, priority: train },
    ],
  },
  {
    name: '1 train job of 2 GPUs from queue0 running on node0 with deserved of 1, 2 pending jobs from queue1 - reclaim',
    nodes: { node0: 2 },
    queues: twoQueues(1, 1),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 2, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 1, priority: train },
      { name: 'pending_job1', queue: 'queue1', gpus: 1, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    name: '1 train job of 2 GPUs from queue0 running on node0 with deserved of 1, 2 pending jobs (1 build) from queue1 - reclaim',
    nodes: { node0: 2 },
    queues: twoQueues(1, 1),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 2, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 1, priority: train },
      { name: 'pending_job1', queue: 'queue1', gpus: 1, priority: build },
    ],
    placed: { pending_job1: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    name: "2 train job of 1 GPUs from queue0 running on node0 with deserved of 1, 1 pending build job of 2 GPUs from queue1 with deserved of 1 - don't reclaim",
    nodes: { node0: 2 },
    queues: twoQueues(1, 1),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 2, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 2, priority: build },
    ],
    codes: { pending_job0: 'NonPreemptibleOverQuota' },
  },
  {
    name: '1 train and 1 preemptible interactive are over quota - reclaim train',
    nodes: { node0: 2 },
    queues: twoQueues(1, 1),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: interactivePreemptible, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 1, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    name: '2 preemptible interactive are over quota - reclaim',
    nodes: { node0: 2 },
    queues: twoQueues(1, 1),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: interactivePreemptible, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: interactivePreemptible, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 1, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job1'],
  },
  {
    name: "1 interactive job is running with more GPUs than the quota, 1 interactive job form different project is pending - don't reclaim (never kill interactive jobs)",
    nodes: { node0: 1 },
    queues: { queue0: { deserved: 0, weight: 0 }, queue1: { deserved: 1, weight: 1 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: build, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 1, priority: build },
    ],
    // The running job is non-preemptible, so it is never reclaimed. lwsim's reason is the department's: KAI's
    // "unlimited" default department is the whole cluster (1 GPU) in lwsim, and the running job already holds it.
    codes: { pending_job0: 'NonPreemptibleOverQuota' },
  },
  {
    name: 'Interactive jobs should use the number of deserved GPUs, and not the reclaimable deserved GPUs',
    nodes: { node0: 4 },
    queues: twoQueues(1, 1),
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: build, on: ['node0'] },
      { name: 'running_job1', queue: 'queue1', gpus: 3, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue0', gpus: 1, priority: build },
    ],
    codes: { pending_job0: 'NonPreemptibleOverQuota' },
  },
  {
    name: "Verify inactive queues don't affect the reclaimable deserved calculation",
    nodes: { node0: 4 },
    queues: { ...twoQueues(1, 1), queue2: { deserved: 1, weight: 1 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job2', queue: 'queue0', gpus: 1, priority: train, on: ['node0'] },
      { name: 'running_job3', queue: 'queue1', gpus: 1, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 1, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job2'],
  },
  {
    name: "reclaim from job that allocated more resources than its' fairShare (no remaining)",
    nodes: { node0: 10 },
    queues: { queue0: { deserved: 2, weight: 1 }, queue1: { deserved: 2, weight: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 8, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 6, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    name: "don't reclaim from job that allocated resources within its' fairShare",
    nodes: { node0: 10 },
    queues: { queue0: { deserved: 2, weight: 1 }, queue1: { deserved: 2, weight: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 4, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 7, priority: train },
    ],
  },
  {
    name: "reclaim from job that allocated more resources than its' fairShare (remaining was given to queue with lower over quota weight)",
    nodes: { node0: 12 },
    queues: { queue0: { deserved: 2, weight: 1 }, queue1: { deserved: 2, weight: 2 } },
    jobs: [
      { name: 'running_job0', queue: 'queue0', gpus: 10, priority: train, on: ['node0'] },
      { name: 'pending_job0', queue: 'queue1', gpus: 7, priority: train },
    ],
    placed: { pending_job0: ['node0'] },
    evicted: ['running_job0'],
  },
  {
    // KAI: q0_job1 is evicted and pipelined again onto node0 in the same action ("Pipelined" on node0), q1_job0
    // goes to node1. lwsim evicts q0_job1 the same way but does not re-place a victim within the cycle that
    // evicted it: it waits for the next cycle (README: "Where lwsim is simpler than KAI").
    name: 'queue0 is under deserved quota, queue1 is over deserved quota but not over fair share - reclaim',
    nodes: { node0: 3, node1: 2 },
    queues: { queue0: { deserved: 2, weight: 1 }, queue1: { deserved: 2, weight: 0 } },
    jobs: [
      { name: 'q0_job0', queue: 'queue0', gpus: 2, priority: train, on: ['node0'] },
      { name: 'q0_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node1'] },
      { name: 'q1_job0', queue: 'queue1', gpus: 2, priority: train },
    ],
    placed: { q1_job0: ['node1'] },
    evicted: ['q0_job1'],
  },
  {
    // KAI: as above, q0_job1 is pipelined onto node0 in the same action; lwsim leaves it pending until the next cycle.
    name: 'queue0 is under deserved quota and submitted multiple jobs, queue1 is over deserved quota but not over fair share - reclaim single job',
    nodes: { node0: 3, node1: 2 },
    queues: { queue0: { deserved: 2, weight: 3 }, queue1: { deserved: 2, weight: 0 } },
    jobs: [
      { name: 'q0_job0', queue: 'queue0', gpus: 2, priority: train, on: ['node0'] },
      { name: 'q0_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node1'] },
      { name: 'q1_job0', queue: 'queue1', gpus: 2, priority: train },
      { name: 'q1_job1', queue: 'queue1', gpus: 2, priority: train },
    ],
    placed: { q1_job0: ['node1'] },
    evicted: ['q0_job1'],
  },
  {
    // KAI: reclaim consolidates: q0_job1 moves to node0 (Pipelined) and q1_job0 is pipelined to node1, nothing
    // is lost. lwsim has no consolidation: queue0 holds exactly its deserved 3 GPUs, so it may not lose any, and
    // q1_job0 stays pending (README: "Where lwsim is simpler than KAI").
    name: 'queue1 is under deserved quota, queue0 has exactly deserved quota - should consolidate q0 to node0 and pipeline q1 to node1',
    nodes: { node0: 3, node1: 2 },
    queues: { queue0: { deserved: 3, weight: 0 }, queue1: { deserved: 2, weight: 0 } },
    jobs: [
      { name: 'q0_job0', queue: 'queue0', gpus: 2, priority: train, on: ['node0'] },
      { name: 'q0_job1', queue: 'queue0', gpus: 1, priority: train, on: ['node1'] },
      { name: 'q1_job0', queue: 'queue1', gpus: 2, priority: train },
    ],
    codes: { q1_job0: 'Unschedulable' },
  },
  {
    name: 'Attempt to reclaim from an inference workload',
    nodes: { node0: 2 },
    queues: twoQueues(1, 0),
    jobs: [
      { name: 'q0_job0', queue: 'queue0', gpus: 1, priority: inference, on: ['node0'] },
      { name: 'q0_job1', queue: 'queue0', gpus: 1, priority: inference, on: ['node0'] },
      { name: 'q1_job0', queue: 'queue1', gpus: 1, priority: inference },
    ],
  },
  {
    // KAI: running-job1 is moved onto node0's half-used GPU (Pipelined, a consolidation) and the pending job takes
    // node1; nothing is evicted for good. lwsim has no consolidation: it evicts running-job1 (the newest victim)
    // and the pending job takes node1; running-job1 waits for the next cycle.
    name: 'Reclaim based on releasing resources with consolidation',
    nodes: { node0: 1, node1: 1 },
    queues: {
      queue0: { deserved: 0, weight: 0 },
      queue1: { deserved: 0, weight: 0 },
      queue2: { deserved: 2, weight: 0 },
    },
    jobs: [
      { name: 'running-job0', queue: 'queue0', gpus: 0.5, priority: train, on: ['node0'] },
      { name: 'running-job1', queue: 'queue1', gpus: 0.5, priority: train, on: ['node1'] },
      { name: 'pending-job', queue: 'queue2', gpus: 1, priority: train },
    ],
    placed: { 'pending-job': ['node1'] },
    evicted: ['running-job1'],
  },
  {
    name: 'Reclaim based on releasing resources without consolidation',
    nodes: { node0: 1, node1: 1 },
    queues: {
      queue0: { deserved: 0, weight: 0 },
      queue1: { deserved: 0, weight: 0 },
      queue2: { deserved: 2, weight: 0 },
    },
    jobs: [
      { name: 'running-job0', queue: 'queue0', gpus: 0.7, priority: train, on: ['node0'] },
      { name: 'running-job1', queue: 'queue1', gpus: 0.7, priority: train, on: ['node1'] },
      { name: 'pending-job', queue: 'queue2', gpus: 1, priority: train },
    ],
    placed: { 'pending-job': ['node1'] },
    evicted: ['running-job1'],
  },
  {
    name: 'Reclaim based on releasing and idle resources',
    nodes: { node0: 1, node1: 1 },
    queues: { queue0: { deserved: 0, weight: 0 }, queue1: { deserved: 2, weight: 0 } },
    jobs: [
      { name: 'running-job', queue: 'queue0', gpus: 0.7, priority: train, on: ['node0'] },
      { name: 'pending-job', queue: 'queue1', gpus: 1, priority: train, tasks: 2 },
    ],
    placed: { 'pending-job': ['node1', 'node0'] },
    evicted: ['running-job'],
  },
  {
    name: 'Reclaim based on releasing and idle resources with fractions',
    nodes: { node0: 1, node1: 1 },
    queues: { queue0: { deserved: 0, weight: 0 }, queue1: { deserved: 2, weight: 0 } },
    jobs: [
      { name: 'running-job0', queue: 'queue0', gpus: 0.7, priority: train, on: ['node0'] },
      { name: 'running-job1', queue: 'queue1', gpus: 0.3, priority: train, on: ['node1'] },
      { name: 'pending-job', queue: 'queue1', gpus: 0.7, priority: train, tasks: 2 },
    ],
    placed: { 'pending-job': ['node1', 'node0'] },
    evicted: ['running-job0'],
  },
  {
    // KAI's gang has MinAvailable 4 of its 5 tasks; lwsim gangs need every pod. Either way two tasks can go nowhere
    // and four GPUs cannot hold the rest, so nothing is reclaimed.
    name: 'gang job fails to allocate enough pods',
    nodes: { node0: 1, node1: 1, node2: 1, node3: 1 },
    queues: { queue0: { deserved: 0, weight: 0 }, queue1: { deserved: 2, weight: 1 } },
    jobs: [
      ...[0, 1, 2, 3].map((i) => ({
        name: `q0_job${i}`,
        queue: 'queue0',
        gpus: 1,
        priority: train,
        on: [`node${i}`],
      })),
      {
        name: 'q1_job0',
        queue: 'queue1',
        gpus: 1,
        priority: train,
        tasks: 5,
        affinity: [undefined, undefined, undefined, 'unexisting-node-affinity', 'unexisting-node-affinity'],
      },
    ],
  },
  {
    name: 'queue0 is in deserved share, queue1 is under fair share - do not reclaim - multiple tasks',
    nodes: { node0: 4, node1: 4, node2: 4, node3: 4 },
    queues: { queue0: { deserved: 12, weight: 0 }, queue1: { deserved: 5, weight: 1 } },
    jobs: [
      ...[0, 1, 2, 3].flatMap((n) =>
        [0, 1, 2, 3].map((j) => ({
          name: `q0_n${n}_job${j}`,
          queue: 'queue0',
          gpus: 1,
          priority: train,
          on: [`node${n}`],
        })),
      ),
      { name: 'q1_job1', queue: 'queue1', gpus: 1, priority: train, tasks: 5 },
    ],
  },
];

describe(`KAI ${FILE}`, () => {
  for (const k of cases) it(`reclaim_test.go: ${k.name}`, () => void checkKai(k));
});
