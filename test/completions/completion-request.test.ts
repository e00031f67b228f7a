import { describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../../sim/perf/presets.ts';
import { checkContext, promptTokens } from '../../src/completions/completion-request.ts';

const tiny = MODEL_PRESETS.tiny; // a 256-token context

describe('checkContext', () => {
  it('admits a prompt and max_tokens that fill the context exactly', () => {
    expect(checkContext(new Array<number>(200).fill(65), 56, tiny, 'tiny')).toEqual({ ok: true });
  });

  it('refuses a prompt as long as the context, naming prompt', () => {
    expect(checkContext(new Array<number>(256).fill(65), 1, tiny, 'tiny')).toEqual({
      ok: false,
      error: 'context-exceeded',
      message: 'prompt: 256 tokens do not fit the 256-token context of model tiny (at most 255)',
    });
  });

  it('refuses max_tokens beyond what the prompt leaves, naming max_tokens', () => {
    expect(checkContext(promptTokens('hello'), 300, tiny, 'tiny')).toMatchObject({
      ok: false,
      error: 'context-exceeded',
      message: expect.stringMatching(/^max_tokens: 300 with a 6-token prompt .* \(at most 250\)$/),
    });
  });
});
