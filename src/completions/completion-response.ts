// OpenAI completions response bodies: the whole response and the streamed chunks (Server-Sent Events).
import type { GenerateResult } from '../kernel/index.ts';

/** What every body of one completion shares. */
export interface CompletionMeta {
  readonly id: string;
  /** Unix seconds (simulated clock). */
  readonly created: number;
  readonly model: string;
  readonly tp: number;
  readonly pp: number;
  /** Pool threads the engine's ranks run on. */
  readonly threads: number;
}

export interface CompletionUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

export interface CompletionTiming {
  readonly prefillMs: number;
  readonly decodeMsPerToken: number;
}

export interface CompletionChoice {
  readonly index: 0;
  readonly text: string;
  /** The generated token ids (an lwsim extension, as vLLM's `token_ids`). */
  readonly token_ids?: readonly number[];
  readonly logprobs: null;
  readonly finish_reason: 'stop' | 'length' | null;
}

export interface CompletionBody {
  readonly id: string;
  readonly object: 'text_completion';
  readonly created: number;
  readonly model: string;
  readonly choices: readonly CompletionChoice[];
  readonly usage?: CompletionUsage;
  readonly timing?: CompletionTiming;
  readonly parallelism?: { readonly tp: number; readonly pp: number; readonly threads: number };
}

function usage(result: GenerateResult): CompletionUsage {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.tokens.length,
    total_tokens: result.promptTokens + result.tokens.length,
  };
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The closing fields: usage, timing and the parallelism that produced them. */
function summary(
  meta: CompletionMeta,
  result: GenerateResult,
): Pick<CompletionBody, 'usage' | 'timing' | 'parallelism'> {
  return {
    usage: usage(result),
    timing: { prefillMs: round3(result.prefillMs), decodeMsPerToken: round3(result.decodeMsPerToken) },
    parallelism: { tp: meta.tp, pp: meta.pp, threads: meta.threads },
  };
}

function head(meta: CompletionMeta): Pick<CompletionBody, 'id' | 'object' | 'created' | 'model'> {
  return { id: meta.id, object: 'text_completion', created: meta.created, model: meta.model };
}

/** The non-streamed response. */
export function completionBody(meta: CompletionMeta, result: GenerateResult, text: string): CompletionBody {
  return {
    ...head(meta),
    choices: [{ index: 0, text, token_ids: result.tokens, logprobs: null, finish_reason: result.finishReason }],
    ...summary(meta, result),
  };
}

/** A streamed chunk carrying new text. */
export function textChunk(meta: CompletionMeta, text: string): CompletionBody {
  return { ...head(meta), choices: [{ index: 0, text, logprobs: null, finish_reason: null }] };
}

/** The last streamed chunk: the remaining text, why generation stopped, usage and timing. */
export function finalChunk(meta: CompletionMeta, result: GenerateResult, text: string): CompletionBody {
  return {
    ...head(meta),
    choices: [{ index: 0, text, logprobs: null, finish_reason: result.finishReason }],
    ...summary(meta, result),
  };
}

/** One Server-Sent Events message. */
export function sseData(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}
