// A workload's events and phase history in Run:ai's schemas (Event, HistoryRecord), from the model's records.
import { stableUuid } from '../../../sim/config/stable-uuid.ts';
import {
  eventMessage,
  eventSource,
  eventType,
  type EventObject,
  type WorkloadEvent,
  type WorkloadRecord,
} from '../../../sim/simulator/workload-history.ts';
import { projectNamespace } from '../../../sim/workloads/naming.ts';
import type { WorkloadState } from '../../../sim/workloads/state.ts';
import type { PresentContext } from './workload.ts';
import { podId } from './workload.ts';

type Json = Record<string, unknown>;

export function presentEvent(w: Readonly<WorkloadState>, e: WorkloadEvent, ctx: PresentContext): Json {
  return {
    createdAt: ctx.clock.iso(e.at),
    id: stableUuid(`${w.id}/event/${e.seq}`),
    type: eventType(e),
    clusterId: ctx.clusterId,
    message: eventMessage(e),
    reason: e.reason,
    source: eventSource(e),
    involvedObject: {
      uid: objectUid(w, e.object),
      kind: e.object.kind,
      name: e.object.name,
      namespace: projectNamespace(w.project),
    },
  };
}

export function presentHistoryRecord(w: Readonly<WorkloadState>, r: WorkloadRecord, ctx: PresentContext): Json {
  const creationTimestamp = ctx.clock.iso(r.at);
  if (r.kind === 'event')
    return { meta: { creationTimestamp, type: 'Event' }, spec: { event: presentEvent(w, r, ctx) } };
  return {
    meta: { creationTimestamp, type: 'PhaseUpdate' },
    spec: { phaseUpdate: { phase: r.phase, phaseMessage: r.message } },
  };
}

function objectUid(w: Readonly<WorkloadState>, object: EventObject): string {
  switch (object.kind) {
    case 'Pod':
      return podId(w, object);
    case 'PodGroup':
      return stableUuid(`${w.id}/podgroup/${object.name}`);
    case 'DistributedInference':
      return w.id;
  }
}
