/** The record of what happened to each workload: events, phase updates and holdings, built by watching the model. */
import { describe, expect, it } from 'vitest';
import { seconds } from '../../sim/engine/index.ts';
import { resolvePriority } from '../../sim/scheduler/index.ts';
import { WorkloadHistory, eventMessage, eventSource, eventType } from '../../sim/simulator/workload-history.ts';
import type { SimulatedCluster } from '../../sim/simulator/simulated-cluster.ts';
import type { InferenceSpec } from '../../sim/workloads/spec.ts';
import { inference, model, template } from '../support/workloads.ts';

const create = (m: SimulatedCluster, spec: Partial<InferenceSpec>) => {
  const w = m.createWorkload({ spec: inference(spec), useGivenNameAsPrefix: false, createdBy: 'x', request: '{}' });
  if (!w.ok) throw new Error(w.message);
  return w.value;
};

const reasons = (history: WorkloadHistory, id: string) =>
  history.records(id)!.flatMap((r) => (r.kind === 'event' ? [`${r.reason} ${r.object.name}`] : [`phase ${r.phase}`]));

describe('WorkloadHistory', () => {
  it("tells a group's start in order, and what it holds at each step", () => {
    const m = model(2);
    const history = new WorkloadHistory(m);
    const w = create(m, {});
    m.advanceTo(seconds(200));
    expect(reasons(history, w.id)).toEqual([
      'Created llama',
      'phase Creating',
      'SuccessfulCreate llama-0',
      'SuccessfulCreate llama-0-1',
      'Scheduled llama-0',
      'Pulling llama-0',
      'Scheduled llama-0-1',
      'Pulling llama-0-1',
      'phase Initializing',
      'Pulled llama-0',
      'Pulled llama-0-1',
      'Created llama-0',
      'Started llama-0',
      'Created llama-0-1',
      'Started llama-0-1',
      'phase Running',
    ]);
    const held = history.allocation(w.id)!;
    expect(held[0]).toMatchObject({ at: 0, pods: 2, runningPods: 0, gpus: 0 });
    expect(held.at(-1)).toMatchObject({ pods: 2, runningPods: 2, gpus: 16, cpuMillis: 16_000 });
    expect(held.map((p) => p.at)).toEqual([...held.map((p) => p.at)].sort((a, b) => a - b));
  });

  it('tells a preemption with the scheduler’s message, the pods killed, and why the group waits', () => {
    const m = model(1);
    const history = new WorkloadHistory(m);
    const single = { workers: 0, worker: null, leader: template(8) };
    const low = create(m, { ...single, name: 'low', priority: resolvePriority('low') });
    m.advanceTo(seconds(100));
    create(m, { ...single, name: 'high', priority: resolvePriority('very-high') });
    m.advanceTo(seconds(200));
    const events = history.records(low.id)!.filter((r) => r.kind === 'event');
    const preempted = events.find((e) => e.reason === 'Preempted');
    expect(preempted).toMatchObject({ object: { kind: 'PodGroup' } });
    expect([eventType(preempted!), eventSource(preempted!)]).toEqual(['Warning', 'runai-scheduler']);
    expect(eventMessage(preempted!)).toMatch(/preempted by higher priority workload team\/high/);
    const after = events.slice(events.indexOf(preempted!)).map((e) => e.reason);
    // It waits first because it was preempted, then (next cycle) because nothing fits.
    expect(after).toEqual(['Preempted', 'Killing', 'SuccessfulCreate', 'Unschedulable', 'Unschedulable']);
    expect(eventMessage(events.at(-1)!)).toMatch(/didn't have enough resources: GPUs/);
  });

  it('tells a failed container restarted in place, and forgets a deleted workload', () => {
    const m = model(1);
    const history = new WorkloadHistory(m);
    const w = create(m, { workers: 0, worker: null, leader: template(8), restartPolicy: 'None' });
    m.advanceTo(seconds(200));
    expect(m.failPod(w.id, 'llama-0').ok).toBe(true);
    m.advanceTo(seconds(300));
    const after = reasons(history, w.id).slice(reasons(history, w.id).indexOf('phase Running') + 1);
    expect(after).toEqual([
      'BackOff llama-0',
      'phase Initializing',
      'Created llama-0',
      'Started llama-0',
      'phase Running',
    ]);
    m.deleteWorkload(w.id);
    m.advanceTo(seconds(400));
    expect(history.records(w.id)).toBeUndefined();
  });

  it('is the same for the same inputs, and bounded per workload', () => {
    const run = () => {
      const m = model(1);
      const history = new WorkloadHistory(m, { recordsPerWorkload: 20, pointsPerWorkload: 8 });
      const w = create(m, { workers: 0, worker: null, leader: template(8), restartPolicy: 'None' });
      for (let i = 1; i <= 30; i++) {
        m.advanceTo(seconds(100 * i));
        m.failPod(w.id, 'llama-0');
      }
      return { records: history.records(w.id)!, points: history.allocation(w.id)! };
    };
    const first = run();
    expect(first.records.length).toBeLessThanOrEqual(20);
    expect(first.points.length).toBeLessThanOrEqual(8);
    expect(JSON.stringify(run())).toBe(JSON.stringify(first));
  });
});
