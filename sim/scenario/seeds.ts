import { stableUuid } from '../config/stable-uuid.ts';
import { Random } from '../engine/index.ts';

/**
 * The generator of one named stream of a seeded run (a scenario's generator, an importer's sampler): each stream
 * is seeded from the run's seed and its own name, so adding, removing or reordering one leaves the others' draws
 * as they were.
 */
export function streamRandom(seed: number, stream: string): Random {
  return new Random(seed * 0x9e3779b1 + parseInt(stableUuid(stream).slice(0, 8), 16));
}
