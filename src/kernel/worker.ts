// Pool worker: runs one group of ranks per task. It instantiates the engine's kernel modules on the
// engine's shared memory once per thread, then only reads and writes that memory.

import { AbortedByPeerError } from './barrier.ts';
import { AbortCode, Ctl, raiseAbort } from './control.ts';
import { GroupRunner, RankError } from './group.ts';
import { WasmKernels } from './kernels.ts';
import { ranksOfGroup } from './partition.ts';
import type { EngineHandles, WorkerResult, WorkerTask } from './protocol.ts';
import { fillRank } from './weight-fill.ts';

let cached: { engineId: string; kernels: WasmKernels } | undefined;

function kernelsFor(handles: EngineHandles): WasmKernels {
  if (cached?.engineId !== handles.engineId) {
    cached = { engineId: handles.engineId, kernels: new WasmKernels(handles.modules, handles.memory) };
  }
  return cached.kernels;
}

/** Records the first failing rank and wakes every waiter, so the whole request fails fast. */
function failRequest(k: WasmKernels, control: number, err: unknown): void {
  if (err instanceof AbortedByPeerError) return;
  const rank = err instanceof RankError ? err.rank : -2;
  Atomics.compareExchange(k.i32, control + Ctl.failedRank, -1, rank);
  raiseAbort(k.i32, control, AbortCode.rankFailed);
}

export default function runTask(task: WorkerTask): WorkerResult {
  const { plan } = task.handles;
  const k = kernelsFor(task.handles);
  const ranks = ranksOfGroup(plan.tp * plan.pp, plan.groups, task.group);
  if (task.kind === 'init') {
    for (const r of ranks) {
      const slot = plan.ranks[r];
      if (slot !== undefined) fillRank(k.f32, plan, slot);
    }
    return { group: task.group, ranks };
  }
  try {
    new GroupRunner(k, plan, task.group, task.spec).generate();
  } catch (err) {
    failRequest(k, plan.control, err);
    throw err;
  }
  return { group: task.group, ranks };
}
