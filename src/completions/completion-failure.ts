// Why the completions endpoint refuses a request, in its own terms: the API route maps each kind to an HTTP
// error, so this room knows nothing of statuses or error bodies.

export type CompletionFailureKind =
  /** The caller is known but not admitted by the workload's servingPort settings. */
  | 'forbidden'
  /** The request does not fit the model's context; the message names the field to change. */
  | 'context-exceeded'
  /** The workload asks for a model this server cannot run (e.g. an unknown size annotation). */
  | 'unservable';

export interface CompletionFailure {
  readonly ok: false;
  readonly error: CompletionFailureKind;
  readonly message: string;
}

export interface CompletionOk {
  readonly ok: true;
}

/** A check that passes or says why not. */
export type CompletionCheck = CompletionOk | CompletionFailure;

export const COMPLETION_OK: CompletionOk = { ok: true };
