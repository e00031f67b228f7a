import { describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../../sim/perf/presets.ts';
import { MODEL_SIZE_ANNOTATION, modelChoice } from '../../src/completions/model-choice.ts';

const body = (leader?: unknown[], worker?: unknown[]) => ({
  spec: { leader: { annotations: leader }, worker: { annotations: worker } },
});
const size = (v: string, extra: Record<string, unknown> = {}) => ({ name: MODEL_SIZE_ANNOTATION, value: v, ...extra });

describe('modelChoice', () => {
  it('uses the fallback without the annotation', () => {
    expect(modelChoice({}, 'tiny')).toEqual({ ok: true, size: 'tiny', model: MODEL_PRESETS.tiny });
    expect(modelChoice(null, 'small')).toMatchObject({ ok: true, size: 'small' });
    expect(modelChoice(body([{ name: 'other', value: 'large' }]), 'tiny')).toMatchObject({ size: 'tiny' });
  });

  it("reads the leader's annotation first, then the worker's, skipping excluded ones", () => {
    expect(modelChoice(body([size('small')], [size('base')]), 'tiny')).toMatchObject({ size: 'small' });
    expect(modelChoice(body(undefined, [size('base')]), 'tiny')).toMatchObject({
      size: 'base',
      model: MODEL_PRESETS.base,
    });
    expect(modelChoice(body([size('large', { exclude: true })]), 'tiny')).toMatchObject({ size: 'tiny' });
  });

  it('accepts aliases and refuses unknown sizes by name', () => {
    expect(modelChoice(body([size(' 1B ')]), 'tiny')).toMatchObject({ ok: true, size: 'large' });
    const bad = modelChoice(body([size('huge')]), 'tiny');
    expect(bad).toMatchObject({ ok: false, error: 'unservable' });
    expect(!bad.ok && bad.message).toMatch(/lwsim.io\/model-size: unknown model size 'huge'/);
  });
});
