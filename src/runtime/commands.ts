import type { ClusterModel, ModelResult } from '../../sim/model/cluster-model.ts';
import type { WorkloadState } from '../../sim/workloads/state.ts';
import { translateCreation, type CreationRequest, type TranslationContext } from '../runai/translate.ts';

/**
 * Every change the outside world can make to the live model. Commands are plain data: they are journaled as they
 * are accepted and replayed, at the same simulated times, to rebuild the exact state after a restart.
 */
export type Command =
  /**
   * A Run:ai creation request, valid against the contract (its defaults filled in). The model's spec is derived
   * from it each time the command is applied, so the journal keeps the request alone (half the bytes of both).
   */
  | { readonly type: 'create'; readonly request: CreationRequest; readonly createdBy: string }
  | { readonly type: 'scale'; readonly workloadId: string; readonly replicas: number }
  | { readonly type: 'delete'; readonly workloadId: string }
  | { readonly type: 'node'; readonly node: string; readonly ready: boolean }
  | { readonly type: 'fail-pod'; readonly workloadId: string; readonly pod: string };

export type CommandResult = ModelResult<WorkloadState | string>;

/**
 * A command with its journal encoding (the `command` field of a journal line). A creation's request is one text
 * for both: the journal writes it and the model keeps it as the workload's submitted request.
 */
export interface EncodedCommand {
  readonly command: Command;
  readonly json: string;
  readonly requestJson?: string;
}

export function encodeCommand(command: Command, requestText?: string): EncodedCommand {
  if (command.type !== 'create') return { command, json: JSON.stringify(command) };
  // The text the client sent, when the caller has it and it fits on one journal line. It may lack defaults that
  // validation filled into `command.request`: translation applies the same ones, and echoes fill them in again.
  const requestJson =
    requestText !== undefined && !requestText.includes('\n') ? requestText : JSON.stringify(command.request);
  // The command as JSON.stringify(command) would encode it, with the request's text spliced in.
  return {
    command,
    requestJson,
    json: `{"type":"create","request":${requestJson},"createdBy":${JSON.stringify(command.createdBy)}}`,
  };
}

/** Applies a command to the model at its current time; `cluster` resolves what a creation request names. */
export function applyCommand(
  model: ClusterModel,
  { command, requestJson }: EncodedCommand,
  cluster: TranslationContext,
): CommandResult {
  switch (command.type) {
    case 'create': {
      const { request, createdBy } = command;
      const translated = translateCreation(request, cluster);
      if (!translated.ok) return { ok: false, error: 'invalid', message: translated.message };
      return model.createWorkload({
        spec: translated.spec,
        useGivenNameAsPrefix: request.useGivenNameAsPrefix ?? false,
        createdBy,
        request: requestJson ?? JSON.stringify(request),
      });
    }
    case 'scale':
      return model.scaleWorkload(command.workloadId, command.replicas);
    case 'delete':
      return model.deleteWorkload(command.workloadId);
    case 'node':
      return model.setNodeReady(command.node, command.ready);
    case 'fail-pod':
      return model.failPod(command.workloadId, command.pod);
  }
}
