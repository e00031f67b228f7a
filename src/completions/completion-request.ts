// The accepted subset of OpenAI's completions request, its JSON schema (validated on the route, so a bad
// body is a 400 naming the field) and the checks that need the workload's model.
import type { ModelConfig } from '../../sim/perf/model-config.ts';
import { BYTE_VOCAB, tokenize } from '../kernel/index.ts';
import { COMPLETION_OK, type CompletionCheck } from './completion-failure.ts';

export const MAX_COMPLETION_TOKENS = 1024;
/** OpenAI's default. */
export const DEFAULT_MAX_TOKENS = 16;

export interface CompletionRequest {
  /** Text (tokenized with a leading BOS) or token ids, used as given. */
  readonly prompt: string | readonly number[];
  readonly max_tokens: number;
  readonly stream: boolean;
  /** Accepted for client compatibility; the response names the model actually served. */
  readonly model?: string;
  /** Accepted for client compatibility; decoding is greedy. */
  readonly temperature?: number;
  readonly top_p?: number;
  readonly n?: number;
  readonly user?: string;
  /** Accepted; usage is always sent on the last chunk. */
  readonly stream_options?: { readonly include_usage?: boolean };
}

/** The body schema (ajv strict mode, no coercion; defaults filled in). Unknown fields are refused by name. */
export const COMPLETION_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['prompt'],
  properties: {
    // if/then/else rather than anyOf, so a bad token id is reported as itself (`prompt[3]: must be <= 257`)
    // instead of as "must be string".
    prompt: {
      if: { type: 'array' },
      then: {
        type: 'array',
        minItems: 1,
        maxItems: 8192,
        items: { type: 'integer', minimum: 0, maximum: BYTE_VOCAB - 1 },
      },
      else: { type: 'string', maxLength: 65_536 },
    },
    max_tokens: { type: 'integer', minimum: 1, maximum: MAX_COMPLETION_TOKENS, default: DEFAULT_MAX_TOKENS },
    stream: { type: 'boolean', default: false },
    model: { type: 'string', maxLength: 256 },
    temperature: { type: 'number', minimum: 0, maximum: 2 },
    top_p: { type: 'number', minimum: 0, maximum: 1 },
    n: { type: 'integer', minimum: 1, maximum: 1 },
    user: { type: 'string', maxLength: 256 },
    stream_options: { type: 'object', additionalProperties: false, properties: { include_usage: { type: 'boolean' } } },
  },
} as const;

/** The prompt as token ids. */
export function promptTokens(prompt: CompletionRequest['prompt']): number[] {
  return typeof prompt === 'string' ? tokenize(prompt) : [...prompt];
}

/**
 * Refuses, as OpenAI and vLLM do, a request that does not fit the model's context (prompt plus max_tokens),
 * naming the field to change; `size` names the model in the message.
 */
export function checkContext(
  prompt: readonly number[],
  maxTokens: number,
  model: ModelConfig,
  size: string,
): CompletionCheck {
  const context = model.maxSeq;
  if (prompt.length >= context) {
    return {
      ok: false,
      error: 'context-exceeded',
      message: `prompt: ${prompt.length} tokens do not fit the ${context}-token context of model ${size} (at most ${context - 1})`,
    };
  }
  if (prompt.length + maxTokens > context) {
    return {
      ok: false,
      error: 'context-exceeded',
      message: `max_tokens: ${maxTokens} with a ${prompt.length}-token prompt exceeds the ${context}-token context of model ${size} (at most ${context - prompt.length})`,
    };
  }
  return COMPLETION_OK;
}
