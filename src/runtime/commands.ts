import type { Command, CommandResult } from '../../sim/simulator/commands.ts';
import type { GivenIdentity } from '../../sim/simulator/simulated-cluster.ts';
import { translateCreation, type CreationRequest, type TranslationContext } from '../runai/translate.ts';
import { translateTraining, type TrainingRequest } from '../runai/translate-training.ts';

/**
 * What the live API asks of the cluster: the cluster's commands, except that a creation carries the Run:ai
 * request (valid against the contract, its defaults filled in) rather than the spec derived from it. The journal
 * keeps these, so a creation's line holds the request alone (half the bytes of both), and is translated again each
 * time it is applied.
 */
export type LiveCommand =
  | { readonly type: 'create'; readonly request: CreationRequest; readonly createdBy: string }
  | {
      readonly type: 'create';
      readonly kind: 'training';
      readonly request: TrainingRequest;
      readonly createdBy: string;
    }
  | Exclude<Command, { readonly type: 'create' }>;

/**
 * A command with its journal encoding (the `command` field of a journal line). A creation's request is one text
 * for both: the journal writes it and the cluster keeps it as the workload's submitted request.
 */
export interface EncodedCommand {
  readonly command: LiveCommand;
  readonly json: string;
  readonly requestJson?: string;
}

export function encodeCommand(command: LiveCommand, requestText?: string): EncodedCommand {
  if (command.type !== 'create') return { command, json: JSON.stringify(command) };
  // The text the client sent, when the caller has it and it fits on one journal line. It may lack defaults that
  // validation filled into `command.request`: translation applies the same ones, and echoes fill them in again.
  const requestJson =
    requestText !== undefined && !requestText.includes('\n') ? requestText : JSON.stringify(command.request);
  // The command as JSON.stringify(command) would encode it, with the request's text spliced in.
  return {
    command,
    requestJson,
    json: `{"type":"create",${'kind' in command ? '"kind":"training",' : ''}"request":${requestJson},"createdBy":${JSON.stringify(command.createdBy)}}`,
  };
}

/**
 * A journal line's command as written by any version: lines before the one command vocabulary named a workload
 * by `workloadId`, now `workload: { id }`.
 */
export function decodeCommand(raw: Record<string, unknown>): LiveCommand {
  if (typeof raw.workloadId !== 'string') return raw as unknown as LiveCommand;
  const { workloadId, ...rest } = raw;
  return { ...rest, workload: { id: workloadId } } as unknown as LiveCommand;
}

/** The cluster command a live one stands for: a creation's request translated against `cluster`'s names. */
export function clusterCommand(
  { command, requestJson }: EncodedCommand,
  cluster: TranslationContext,
  identity?: GivenIdentity,
): { ok: true; command: Command } | Extract<CommandResult, { ok: false }> {
  if (command.type !== 'create') return { ok: true, command };
  const { request, createdBy } = command;
  const translated =
    'kind' in command ? translateTraining(command.request, cluster) : translateCreation(command.request, cluster);
  if (!translated.ok) return { ok: false, error: 'invalid', message: translated.message };
  return {
    ok: true,
    command: {
      type: 'create',
      spec: translated.spec,
      useGivenNameAsPrefix: request.useGivenNameAsPrefix ?? false,
      createdBy,
      request: requestJson ?? JSON.stringify(request),
      ...(identity === undefined ? {} : { identity }),
    },
  };
}
