import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { contractAjv, createContractAjv, validatorFor } from '../../src/contract/ajv.ts';
import { bodySchema, getContract, operations, paramsSchema, querySchema } from '../../src/contract/contract.ts';

// Keys of the OpenAPI dialect that must not survive conversion (ajv strict mode would reject most of them).
const OPENAPI_ONLY = ['nullable', 'example', 'examples', 'discriminator', 'xml', 'externalDocs', 'deprecated'];

function keysDeep(value: unknown, out: Set<string> = new Set(), parent = ''): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysDeep(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      // Names under `properties`/`definitions` are data, not keywords.
      if (parent !== 'properties' && parent !== 'definitions') out.add(k);
      keysDeep(v, out, k);
    }
  }
  return out;
}

describe('contract schemas under ajv strict mode', () => {
  it('compiles every one of the 283 component schemas', () => {
    const names = getContract().componentNames;
    expect(names).toHaveLength(283);
    const failures: string[] = [];
    for (const name of names) {
      try {
        expect(typeof validatorFor(name)).toBe('function');
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  // Strict but for strictRequired: the platform contract requires properties a sibling allOf member declares.
  it('compiles in a fresh strict ajv with nothing but ajv-formats added', () => {
    const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
    ajvFormats.default(ajv);
    ajv.addSchema(getContract().bundle);
    for (const name of getContract().componentNames)
      expect(() => ajv.getSchema(`runai#/definitions/${name}`)).not.toThrow();
  });

  it('leaves no OpenAPI-only keyword and no x- extension behind', () => {
    const keys = keysDeep(getContract().bundle);
    for (const keyword of OPENAPI_ONLY) expect(keys.has(keyword), keyword).toBe(false);
    expect([...keys].filter((k) => k.startsWith('x-'))).toEqual([]);
  });

  it('compiles every operation schema in the mode fastify uses for it', () => {
    for (const op of operations()) {
      const body = bodySchema(op.operationId);
      if (body !== undefined) expect(typeof contractAjv('body').compile(body)).toBe('function');
      for (const schema of [querySchema(op.operationId), paramsSchema(op.operationId)]) {
        if (schema !== undefined) expect(typeof contractAjv('parameters').compile(schema)).toBe('function');
      }
      for (const response of op.responses)
        if (response.schema !== undefined) expect(typeof validatorFor(response.schema)).toBe('function');
    }
  });

  it('knows the OpenAPI formats: int32 bounds, int64, double, uuid, date-time, hostname', () => {
    const ajv = createContractAjv('check');
    const valid = (schema: object, data: unknown): boolean => ajv.validate(schema, data);
    expect(valid({ type: 'integer', format: 'int32' }, 2 ** 31 - 1)).toBe(true);
    expect(valid({ type: 'integer', format: 'int32' }, 2 ** 31)).toBe(false);
    expect(valid({ type: 'integer', format: 'int64' }, 2 ** 40)).toBe(true);
    expect(valid({ type: 'number', format: 'double' }, 0.5)).toBe(true);
    expect(valid({ type: 'string', format: 'uuid' }, '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0')).toBe(true);
    expect(valid({ type: 'string', format: 'uuid' }, 'not-a-uuid')).toBe(false);
    expect(valid({ type: 'string', format: 'date-time' }, '2025-06-01T10:00:00.000Z')).toBe(true);
    expect(valid({ type: 'string', format: 'date-time' }, '2025-06-01')).toBe(false);
    expect(valid({ type: 'string', format: 'hostname' }, 'leader.svc.cluster.local')).toBe(true);
  });

  it('accepts the three spellings of a component reference', () => {
    const body = { code: 404, message: 'not found' };
    for (const ref of ['Error', 'runai#/definitions/Error', '#/components/schemas/Error'])
      expect(validatorFor(ref)(body)).toBe(true);
    expect(() => validatorFor('NoSuchSchema')).toThrow(/no contract schema/);
  });

  it('rejects an unknown format instead of ignoring it', () => {
    expect(() => createContractAjv('check').compile({ type: 'string', format: 'no-such-format' })).toThrow(
      /unknown format/,
    );
  });
});
