// Errors a caller of the engine can tell apart.

/** A rank threw (or its thread died) during a request; the engine stays usable for the next one. */
export class RankFailedError extends Error {
  constructor(
    readonly rank: number,
    readonly stage: number,
    readonly tpRank: number,
    detail: string,
    cause?: unknown,
  ) {
    super(`rank ${rank} (pipeline stage ${stage}, tensor-parallel rank ${tpRank}) failed: ${detail}`, { cause });
    this.name = 'RankFailedError';
  }
}

/** The request was cancelled through its AbortSignal. */
export class GenerationAbortedError extends Error {
  constructor() {
    super('generation aborted');
    this.name = 'GenerationAbortedError';
  }
}

export class EngineClosedError extends Error {
  constructor() {
    super('engine is closed');
    this.name = 'EngineClosedError';
  }
}
