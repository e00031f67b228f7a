import { describe, expect, it } from 'vitest';
import { stableUuid, UuidNamespace } from '../../sim/config/stable-uuid.ts';

describe('stableUuid', () => {
  // Pinned: cluster ids and workload ids derive from these, so journals and clients depend on them never changing.
  it.each([
    ['default', '5ac41309-4829-8932-8660-de0b7c9cf8d9'],
    ['lwsim/workload/0', 'b6450b32-c68f-8a50-b7f4-8c85ea42584c'],
    ['a67477ec-b72a-842e-b025-0e33537fbc1e/workload/123456', '02b4fb52-415c-8595-8edc-0e88ab3f4931'],
    ['é', 'b8765306-3c1f-8421-9beb-881bd39bc894'],
  ])('maps %j to the same id forever', (text, id) => {
    expect(stableUuid(text)).toBe(id);
  });

  it('gives version 8, variant 10 UUIDs that differ for different texts', () => {
    const ids = new Set(Array.from({ length: 2000 }, (_, i) => stableUuid(`cluster/workload/${i}`)));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('a namespace gives the id of its prefix followed by the suffix', () => {
    const workloads = new UuidNamespace('a67477ec-b72a-842e-b025-0e33537fbc1e/workload/');
    expect(workloads.uuid('123456')).toBe('02b4fb52-415c-8595-8edc-0e88ab3f4931');
    for (const suffix of ['', '0', '7', 'é/x'])
      expect(workloads.uuid(suffix)).toBe(stableUuid(`a67477ec-b72a-842e-b025-0e33537fbc1e/workload/${suffix}`));
  });
});
