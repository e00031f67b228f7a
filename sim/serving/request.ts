// A request as the serving simulation tracks it, from the client's send to its last token.

export interface RequestSpec {
  /** When the client would send it, seconds from the start (before any concurrency limit holds it back). */
  readonly arrival: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Hashes of the prompt's prefix blocks (Mooncake's `hash_ids`): equal hashes are equal content. */
  readonly prefixBlocks?: readonly number[];
  /** Tokens per prefix block. */
  readonly prefixBlockTokens?: number;
}

/** One request in flight or done; mutable, owned by the simulation (one object per request, no copies). */
export interface Request {
  readonly id: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly prefixBlocks: readonly number[] | undefined;
  readonly prefixBlockTokens: number;
  /** Prompt tokens found in the prefix cache when it was last admitted; -1 before it was looked up. */
  prefixHitTokens: number;
  /** When it was sent (the arrival, or later when a concurrency slot freed), seconds. */
  sent: number;
  /** Tokens whose keys and values are in the KV cache. */
  computed: number;
  /** Output tokens sampled so far. */
  generated: number;
  /** KV-cache blocks held. */
  blocks: number;
  /** In a micro-batch now in the pipeline: not scheduled again (nor preempted) until it leaves. */
  busy: boolean;
  firstToken: number;
  lastToken: number;
  finished: number;
  preemptions: number;
  /** Replica serving it, -1 before routing. */
  replica: number;
}

export function newRequest(id: number, spec: RequestSpec, sent: number): Request {
  return {
    id,
    inputTokens: spec.inputTokens,
    outputTokens: spec.outputTokens,
    prefixBlocks: spec.prefixBlocks,
    prefixBlockTokens: spec.prefixBlockTokens ?? 0,
    prefixHitTokens: -1,
    sent,
    computed: 0,
    generated: 0,
    blocks: 0,
    busy: false,
    firstToken: NaN,
    lastToken: NaN,
    finished: NaN,
    preemptions: 0,
    replica: -1,
  };
}
