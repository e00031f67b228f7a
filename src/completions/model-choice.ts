// Which model a workload serves: its `lwsim.io/model-size` annotation, else the server's default.
import type { ModelConfig } from '../../sim/perf/model-config.ts';
import { MODEL_PRESETS, modelPreset, type ModelSize } from '../../sim/perf/presets.ts';
import type { CompletionFailure } from './completion-failure.ts';
import { fieldOf, pathOf } from './request-fields.ts';

export const MODEL_SIZE_ANNOTATION = 'lwsim.io/model-size';

/** Small enough that a laptop answers in milliseconds. */
export const DEFAULT_SERVING_MODEL_SIZE: ModelSize = 'tiny';

export type ModelChoice =
  { readonly ok: true; readonly size: ModelSize; readonly model: ModelConfig } | CompletionFailure;

/** The annotation's value in a Run:ai `Annotations` array, skipping entries marked `exclude`. */
function annotationValue(annotations: unknown, name: string): string | undefined {
  if (!Array.isArray(annotations)) return undefined;
  for (const annotation of annotations) {
    if (fieldOf(annotation, 'exclude') === true || fieldOf(annotation, 'name') !== name) continue;
    const value = fieldOf(annotation, 'value');
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * The contract puts annotations on the pod specs (`spec.leader.annotations`, `spec.worker.annotations`); the
 * leader's wins, as the leader is the pod that serves. An unknown size is refused, not silently replaced.
 */
export function modelChoice(request: unknown, fallback: ModelSize): ModelChoice {
  const value =
    annotationValue(pathOf(request, 'spec', 'leader', 'annotations'), MODEL_SIZE_ANNOTATION) ??
    annotationValue(pathOf(request, 'spec', 'worker', 'annotations'), MODEL_SIZE_ANNOTATION);
  if (value === undefined) return { ok: true, size: fallback, model: MODEL_PRESETS[fallback] };
  let model: ModelConfig;
  try {
    model = modelPreset(value);
  } catch (err) {
    return {
      ok: false,
      error: 'unservable',
      message: `annotation ${MODEL_SIZE_ANNOTATION}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  // modelPreset resolves aliases (`1b`) to a preset object; name it by identity.
  const size = (Object.keys(MODEL_PRESETS) as ModelSize[]).find((s) => MODEL_PRESETS[s] === model) ?? fallback;
  return { ok: true, size, model };
}
