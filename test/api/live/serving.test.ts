/**
 * The serving endpoint over a real port: completions (plain and streamed) from the TP x PP kernel on the tiny
 * model, the same tokens as the single-rank reference, 503 until Running, 404, 400 bodies naming the field,
 * the servingPort's authorizationType, and no serving once the workload is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractErrors } from '../../../src/contract/ajv.ts';
import { MODEL_PRESETS } from '../../../sim/perf/presets.ts';
import { detokenize, ReferenceModel, tokenize } from '../../../src/kernel/index.ts';
import { SERVING_WEIGHT_SEED } from '../../../src/completions/engine-pool.ts';
import { TOKENS, creation, startLwsim, type LwsimServer } from './lwsim-server.ts';

const DI = '/api/v1/workloads/distributed-inferences';
const PROMPT = 'The quick brown fox';
const MAX = 20;
const pod = (gpus: number, annotations?: { name: string; value: string }[]) => ({
  image: 'vllm/vllm-openai:v0.6.0',
  compute: { gpuDevicesRequest: gpus, cpuCoreRequest: 4, cpuMemoryRequest: '32Gi' },
  ...(annotations ? { annotations } : {}),
});

let server: LwsimServer;
/** Workload ids: tp2pp2 (no servingPort: authenticatedUsers), open (public), vip (authorizedUsers chat@test). */
const ids = { tp2pp2: '', open: '', vip: '' };
const completions = (id: string) => `/serving/${id}/v1/completions`;
const isErrorBody = (body: unknown) =>
  expect(contractErrors('Error', body).map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);

beforeAll(async () => {
  server = await startLwsim({ kernelThreads: 2 });
  const create = async (name: string, body: Record<string, unknown>) => {
    const r = await server.call('POST', DI, body);
    expect(r.status).toBe(202);
    return r.body.workloadId as string;
  };
  ids.tp2pp2 = await create('tp2pp2', creation('tp2pp2', { gpus: 2, workers: 1 }));
  ids.open = await create(
    'open',
    creation('open', {
      spec: { workers: 0, leader: pod(1), servingPort: { port: 8000, authorizationType: 'public' } },
    }),
  );
  ids.vip = await create(
    'vip',
    creation('vip', {
      spec: {
        workers: 0,
        leader: pod(1),
        servingPort: { port: 8000, authorizationType: 'authorizedUsers', authorizedUsers: ['chat@test'] },
      },
    }),
  );
});
afterAll(async () => server.close());

describe('serving endpoint', () => {
  it('answers 503 in the error body while the workload is Creating or Initializing', async () => {
    for (const expected of ['Creating', 'Initializing']) {
      expect((await server.call('GET', `${DI}/${ids.tp2pp2}`)).body.actualPhase).toBe(expected);
      const r = await server.call('POST', completions(ids.tp2pp2), { prompt: PROMPT });
      expect(r.status).toBe(503);
      isErrorBody(r.body);
      expect(r.body.message).toContain(expected);
      await server.advance(1);
    }
    await server.advance(900);
    for (const id of Object.values(ids))
      expect((await server.call('GET', `${DI}/${id}`)).body.actualPhase).toBe('Running');
  });

  it('completes with TP = gpuDevicesRequest and PP = 1 + workers, matching the single-rank reference', async () => {
    const url = (await server.call('GET', `/api/v1/workloads/${ids.tp2pp2}`)).body.urls[0] as string;
    expect(url).toBe(`${server.url}/serving/${ids.tp2pp2}`);
    const response = await fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.dev}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: PROMPT, max_tokens: MAX }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: string; timing: { prefillMs: number; decodeMsPerToken: number } };
    const expected = new ReferenceModel(MODEL_PRESETS.tiny, SERVING_WEIGHT_SEED).generate(tokenize(PROMPT), MAX);
    expect(body).toMatchObject({
      object: 'text_completion',
      model: 'lwsim-tiny',
      choices: [
        {
          index: 0,
          text: detokenize(expected.tokens),
          token_ids: expected.tokens,
          finish_reason: expected.finishReason,
        },
      ],
      usage: {
        prompt_tokens: PROMPT.length + 1,
        completion_tokens: expected.tokens.length,
        total_tokens: PROMPT.length + 1 + expected.tokens.length,
      },
      parallelism: { tp: 2, pp: 2, threads: 2 },
    });
    expect(body.id).toMatch(/^cmpl-/);
    expect(body.timing.prefillMs).toBeGreaterThanOrEqual(0);
    expect(body.timing.decodeMsPerToken).toBeGreaterThanOrEqual(0);
    // Token ids are used as given: the same ids as a prompt give the same completion.
    const byIds = await server.call('POST', completions(ids.tp2pp2), { prompt: tokenize(PROMPT), max_tokens: MAX });
    expect(byIds.body.choices[0].token_ids).toEqual(expected.tokens);
  });

  it('streams Server-Sent Events whose text adds up to the plain response, ending with [DONE]', async () => {
    const plain = await server.call('POST', completions(ids.tp2pp2), { prompt: PROMPT, max_tokens: MAX });
    const streamed = await server.call('POST', completions(ids.tp2pp2), {
      prompt: PROMPT,
      max_tokens: MAX,
      stream: true,
    });
    expect(streamed.status).toBe(200);
    const events = streamed.text.split('\n\n').filter((e) => e !== '');
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.choices[0].text).join('')).toBe(plain.body.choices[0].text);
    expect(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      choices: [{ finish_reason: plain.body.choices[0].finish_reason }],
      usage: plain.body.usage,
      parallelism: { tp: 2, pp: 2 },
    });
    expect(chunks.at(-1).timing).toEqual({ prefillMs: expect.any(Number), decodeMsPerToken: expect.any(Number) });
  });

  it('cancels the generation of a client that hangs up, and serves the next request', async () => {
    const hangUp = new AbortController();
    const response = await fetch(`${server.url}${completions(ids.tp2pp2)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.dev}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a', max_tokens: 250, stream: true }),
      signal: hangUp.signal,
    });
    expect(response.status).toBe(200);
    await response.body?.getReader().read(); // the first chunk, then hang up
    hangUp.abort();
    const next = await server.call('POST', completions(ids.tp2pp2), { prompt: PROMPT, max_tokens: 4 });
    expect(next.status).toBe(200);
    expect(next.body.usage.prompt_tokens).toBe(PROMPT.length + 1);
  });

  it('answers 404 for an unknown workload', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const r = await server.call('POST', completions(id), { prompt: PROMPT });
      expect(r.status).toBe(404);
      isErrorBody(r.body);
    }
  });

  it.each([
    ['no prompt', { max_tokens: 4 }, /^prompt: is required/],
    ['a numeric prompt', { prompt: 42 }, /^prompt: must be string/],
    ['an empty token list', { prompt: [] }, /^prompt/],
    ['a token id out of the vocabulary', { prompt: [256, 300] }, /^prompt\[1\]: must be <= 257/],
    ['max_tokens 0', { prompt: PROMPT, max_tokens: 0 }, /^max_tokens: must be >= 1/],
    ['max_tokens 5000', { prompt: PROMPT, max_tokens: 5000 }, /^max_tokens: must be <= 1024/],
    ['max_tokens as text', { prompt: PROMPT, max_tokens: '4' }, /^max_tokens: must be integer/],
    ['stream as text', { prompt: PROMPT, stream: 'yes' }, /^stream: must be boolean/],
    ['an unknown field', { prompt: PROMPT, echo: true }, /^echo: is not allowed/],
    [
      'a prompt longer than the context',
      { prompt: 'x'.repeat(300) },
      /^prompt: 301 tokens do not fit the 256-token context of model tiny/,
    ],
    [
      'a prompt and max_tokens beyond the context',
      { prompt: 'x'.repeat(200), max_tokens: 100 },
      /^max_tokens: 100 with a 201-token prompt exceeds the 256-token context/,
    ],
    ['malformed JSON', '{"prompt": ', /JSON/],
  ])('answers 400 naming the field for %s', async (_, body, message) => {
    const r = await server.call('POST', completions(ids.open), body);
    expect(r.status).toBe(400);
    isErrorBody(r.body);
    expect(r.body.message).toMatch(message);
  });

  it('honours the servingPort authorizationType', async () => {
    const ask = (id: string, token: string | null) =>
      server.call('POST', completions(id), { prompt: 'hi', max_tokens: 2 }, token);
    // No servingPort: any authenticated user, whatever their projects.
    for (const token of [null, 'not-a-known-token-000000']) {
      const r = await ask(ids.tp2pp2, token);
      expect(r.status).toBe(401);
      isErrorBody(r.body);
    }
    expect((await ask(ids.tp2pp2, TOKENS.chat)).status).toBe(200);
    // public: no token needed.
    expect((await ask(ids.open, null)).status).toBe(200);
    // authorizedUsers: the token's user must be listed.
    expect((await ask(ids.vip, null)).status).toBe(401);
    const refused = await ask(ids.vip, TOKENS.dev);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('dev@test');
    expect((await ask(ids.vip, TOKENS.chat)).status).toBe(200);
    // Auth is decided before the body is read: an unauthenticated bad body is a 401, not a 400.
    expect((await server.call('POST', completions(ids.tp2pp2), { nope: 1 }, null)).status).toBe(401);
    // The global hook still guards everything else, and unknown /serving paths, before routing.
    expect((await server.call('GET', `/serving/${ids.open}/v1/models`, undefined, null)).status).toBe(401);
  });

  it('stops serving when the workload is deleted: 503 while Deleting, then 404', async () => {
    expect((await server.call('POST', completions(ids.open), { prompt: 'hi', max_tokens: 2 }, null)).status).toBe(200);
    expect((await server.call('DELETE', `${DI}/${ids.open}`)).status).toBe(202);
    const deleting = await server.call('POST', completions(ids.open), { prompt: 'hi', max_tokens: 2 }, null);
    expect(deleting.status).toBe(503);
    expect(deleting.body.message).toContain('Deleting');
    await server.advance(120);
    const gone = await server.call('POST', completions(ids.open), { prompt: 'hi', max_tokens: 2 }, null);
    expect(gone.status).toBe(404);
    isErrorBody(gone.body);
  });
});
