import { describe, expect, it } from 'vitest';
import { parameterCount, validateModel } from '../../sim/perf/model-config.ts';
import { validateParallelism } from '../../sim/perf/parallelism.ts';
import { MODEL_PRESETS, modelPreset } from '../../sim/perf/presets.ts';
import { planMemory } from '../../src/kernel/layout.ts';
import { PAGE_BYTES } from '../../src/kernel/wasm-api.ts';

describe('model presets', () => {
  it.each(Object.entries(MODEL_PRESETS))('%s splits for every TP x PP and fits one wasm32 memory', (_name, model) => {
    validateModel(model);
    for (const tp of [1, 2, 4, 8]) {
      for (const pp of [1, 2, 4]) {
        validateParallelism(model, tp, pp);
        expect(planMemory(model, tp, pp, 2, 0).pages * PAGE_BYTES).toBeLessThan(2 ** 32);
      }
    }
  });

  it('resolves annotation values, aliases included', () => {
    expect(modelPreset('Small')).toBe(MODEL_PRESETS.small);
    expect(modelPreset('1b')).toBe(MODEL_PRESETS.large);
    expect(() => modelPreset('huge')).toThrow(/unknown model size 'huge'/);
    expect(parameterCount(MODEL_PRESETS.large)).toBeGreaterThan(7e8);
  });

  it('rejects splits the model cannot take', () => {
    expect(() => validateParallelism(MODEL_PRESETS.tiny, 3, 1)).toThrow(/tp must be/);
    expect(() => validateParallelism({ ...MODEL_PRESETS.tiny, kvHeads: 4 }, 8, 1)).toThrow(/kvHeads/);
    expect(() => validateParallelism({ ...MODEL_PRESETS.tiny, layers: 2 }, 1, 4)).toThrow(/layers/);
  });
});
