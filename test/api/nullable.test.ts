import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { contractAjv, validatorFor } from '../../src/contract/ajv.ts';
import { bodySchema } from '../../src/contract/contract.ts';
import { openApiToJsonSchema, type JsonSchema } from '../../src/contract/openapi-to-json-schema.ts';
import type { OpenApiSchema } from '../../src/contract/openapi-types.ts';
import { creationRequest } from './support/fixtures.ts';

const components: Record<string, OpenApiSchema> = {
  Pet: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string' }, legs: { type: 'integer', default: 4 } },
  },
  Color: { type: 'string', enum: ['red', 'green'], nullable: true, default: 'red' },
  PetAlias: { $ref: '#/components/schemas/Pet' },
};

function convert(schema: OpenApiSchema): JsonSchema {
  return openApiToJsonSchema(schema, { components, refFor: (name) => `#/definitions/${name}` });
}

/** A strict ajv with the test components as definitions; `useDefaults` to watch defaults being applied. */
function validator(schema: OpenApiSchema, useDefaults = false): (data: unknown) => boolean {
  const definitions: Record<string, JsonSchema> = {};
  for (const [name, s] of Object.entries(components)) definitions[name] = convert(s);
  const ajv = new Ajv({ strict: true, useDefaults });
  ajv.addSchema({ $id: 'test', definitions });
  const root = convert(schema);
  const validate = ajv.compile(typeof root === 'object' ? { ...root, definitions } : root);
  return (data) => validate(data);
}

describe('nullable: true', () => {
  it('adds null to a plain type, keeping its bounds', () => {
    expect(convert({ type: 'integer', nullable: true, minimum: 0 })).toEqual({ type: ['integer', 'null'], minimum: 0 });
    const v = validator({ type: 'integer', nullable: true, minimum: 0 });
    expect([v(null), v(3), v(-1), v('3')]).toEqual([true, true, false, false]);
  });

  it('adds null to an enum as well as to its type', () => {
    expect(convert(components.Color!)).toEqual({
      type: ['string', 'null'],
      enum: ['red', 'green', null],
      default: 'red',
    });
    const v = validator({ $ref: '#/components/schemas/Color' });
    expect([v(null), v('green'), v('blue')]).toEqual([true, true, false]);
  });

  it('leaves a schema without nullable rejecting null', () => {
    const v = validator({ type: 'string' });
    expect(v(null)).toBe(false);
    expect(validator({ allOf: [{ $ref: '#/components/schemas/Pet' }] })(null)).toBe(false);
  });

  it('makes a nullable allOf of a $ref accept null, although the referenced schema does not', () => {
    const schema: OpenApiSchema = { allOf: [{ $ref: '#/components/schemas/Pet' }], nullable: true, type: 'object' };
    expect(convert(schema)).toEqual({
      type: ['object', 'null'],
      if: { type: 'null' },
      else: { allOf: [{ $ref: '#/definitions/Pet' }] },
    });
    const v = validator(schema);
    expect(v(null)).toBe(true);
    expect(v({ name: 'rex' })).toBe(true);
    expect(v({ legs: 3 })).toBe(false); // the referenced schema still applies to non-null values
    expect(v('rex')).toBe(false);
  });

  it('makes a nullable $ref (through an alias chain) accept null', () => {
    const v = validator({ $ref: '#/components/schemas/PetAlias', nullable: true });
    expect([v(null), v({ name: 'a' }), v({})]).toEqual([true, true, false]);
  });

  it('still applies defaults inside a nullable composed schema', () => {
    const v = validator(
      { type: 'object', properties: { pet: { allOf: [{ $ref: '#/components/schemas/Pet' }], nullable: true } } },
      true,
    );
    const data: { pet: Record<string, unknown> | null } = { pet: { name: 'rex' } };
    expect(v(data)).toBe(true);
    expect(data.pet).toEqual({ name: 'rex', legs: 4 });
    expect(v({ pet: null })).toBe(true);
  });

  it('copies a default that sits behind a $ref onto the property, where ajv looks for it', () => {
    expect(convert({ properties: { color: { $ref: '#/components/schemas/Color' } } })).toEqual({
      properties: { color: { $ref: '#/definitions/Color', default: 'red' } },
      type: 'object',
    });
  });
});

describe('other OpenAPI 3.0 differences', () => {
  it('drops OpenAPI-only keywords and x- extensions', () => {
    const schema: OpenApiSchema = {
      type: 'string',
      example: 'x',
      deprecated: true,
      'x-schema-name': 'S',
      xml: { name: 's' },
      externalDocs: { url: 'u' },
      discriminator: { propertyName: 't' },
    };
    expect(convert(schema)).toEqual({ type: 'string' });
  });

  it('gives type object to a schema that only lists properties, so a string body cannot pass', () => {
    expect(convert({ properties: { a: { type: 'string' } } })).toEqual({
      properties: { a: { type: 'string' } },
      type: 'object',
    });
    expect(validator({ properties: { a: { type: 'string' } } })('a string')).toBe(false);
  });

  it('rewrites boolean exclusive bounds into draft-07 numbers', () => {
    expect(
      convert({ type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: false }),
    ).toEqual({ type: 'number', exclusiveMinimum: 0, maximum: 1 });
  });

  it('does not require readOnly or writeOnly properties, which one direction never carries', () => {
    const schema: OpenApiSchema = {
      type: 'object',
      required: ['id', 'name', 'secret'],
      properties: {
        id: { type: 'string', readOnly: true },
        name: { type: 'string' },
        secret: { type: 'string', writeOnly: true },
      },
    };
    const out = convert(schema);
    expect(out).toMatchObject({ required: ['name'] });
    expect(validator(schema)({ name: 'n' })).toBe(true);
  });

  it('refuses references outside components.schemas', () => {
    expect(() => convert({ $ref: 'https://example.com/x.json' })).toThrow(/unsupported \$ref/);
  });
});

describe('nullable fields of the Run:ai contract', () => {
  const validate = validatorFor(bodySchema('create_distributed_inference')!);

  it.each([
    ['spec.leader (nullable allOf of a $ref)', (b: ReturnType<typeof creationRequest>) => (b.spec.leader = null)],
    ['spec.worker (nullable allOf of a $ref)', (b: ReturnType<typeof creationRequest>) => (b.spec.worker = null)],
    [
      'spec.servingPort (nullable allOf of two $refs)',
      (b: ReturnType<typeof creationRequest>) => (b.spec.servingPort = null),
    ],
    ['spec.restartPolicy (nullable enum)', (b: ReturnType<typeof creationRequest>) => (b.spec.restartPolicy = null)],
    ['spec.workers (nullable integer)', (b: ReturnType<typeof creationRequest>) => (b.spec.workers = null)],
    ['templateId (nullable uuid)', (b: ReturnType<typeof creationRequest>) => (b.templateId = null)],
  ])('accepts null for %s', (_name, mutate) => {
    const body = creationRequest();
    mutate(body);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects null where the contract does not allow it', () => {
    for (const mutate of [
      (b: ReturnType<typeof creationRequest>) => (b.name = null),
      (b: ReturnType<typeof creationRequest>) => (b.clusterId = null),
      (b: ReturnType<typeof creationRequest>) => (b.useGivenNameAsPrefix = null),
    ]) {
      const body = creationRequest();
      mutate(body);
      expect(validate(body)).toBe(false);
    }
  });

  it('accepts null for the optional orgType of a pending scheduling message (nullable allOf of an enum)', () => {
    const message = { nodePool: 'default', phaseReason: 'OverLimit', reason: 'over quota', orgType: null };
    expect(validatorFor('PendingSchedulingMessage')(message)).toBe(true);
    expect(validatorFor('PendingSchedulingMessage')({ ...message, orgType: 'PROJECT' })).toBe(true);
    expect(validatorFor('PendingSchedulingMessage')({ ...message, orgType: 'TEAM' })).toBe(false);
  });

  it('fills in the contract defaults of a request body, and only where a value is absent', () => {
    const validateBody = contractAjv('body').compile(bodySchema('create_distributed_inference')!);
    const body: Record<string, unknown> = {
      name: 'n',
      projectId: '1',
      clusterId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      spec: { servingPort: { port: 8000 }, replicas: null },
    };
    expect(validateBody(body)).toBe(true);
    expect(body).toEqual({
      name: 'n',
      projectId: '1',
      clusterId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      useGivenNameAsPrefix: false,
      spec: {
        servingPort: { port: 8000, protocol: 'http', exposeExternally: true },
        replicas: null,
        restartPolicy: 'RecreateGroupOnPodRestart',
        startupPolicy: 'LeaderCreated',
        workers: 0,
      },
    });
  });
});
