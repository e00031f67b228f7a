import type { SchemaObject } from 'ajv';
import { DELAY_SPEC_SCHEMA, DELAYS_BLOCK_SCHEMA } from '../../sim/workloads/delays-block.ts';
import { TRAFFIC_SCHEMA } from '../serving/read-traffic.ts';

const duration = { type: ['string', 'number'] } as const;
const name = { type: 'string', pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 } as const;
/** A value, a list of equally likely values, or values with weights (`{ "8": 1, "1": 4 }`). */
const choice = {
  oneOf: [
    { type: ['number', 'string'] },
    { type: 'array', minItems: 1, items: { type: ['number', 'string'] } },
    { type: 'object', minProperties: 1, additionalProperties: { type: 'number', minimum: 0 } },
  ],
} as const;
const spread = DELAY_SPEC_SCHEMA;

/**
 * The shape of a scenario file. `create` bodies are checked against the Run:ai contract afterwards (the same
 * validation as the API), so here they only need to be objects.
 */
export const SCENARIO_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'cluster', 'until'],
  properties: {
    name,
    seed: { type: 'integer' },
    until: duration,
    sample: duration,
    cluster: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] },
    delays: DELAYS_BLOCK_SCHEMA,
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at'],
        minProperties: 2,
        // One verb, and `traffic` beside a `create` (checked when read).
        maxProperties: 3,
        properties: {
          at: duration,
          create: { type: 'object' },
          traffic: TRAFFIC_SCHEMA,
          train: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'project', 'gpus', 'duration'],
            properties: {
              name,
              project: { type: 'string' },
              gpus: { type: 'number', exclusiveMinimum: 0 },
              workers: { type: 'integer', minimum: 0, maximum: 1000 },
              replicas: { type: 'integer', minimum: 1, maximum: 1000 },
              duration,
              priorityClass: { type: 'string' },
              nodePools: { type: 'array', items: { type: 'string' } },
            },
          },
          patch: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'replicas'],
            properties: { name, replicas: { type: 'integer', minimum: 0, maximum: 1000 } },
          },
          delete: { type: 'object', additionalProperties: false, required: ['name'], properties: { name } },
          fault: {
            oneOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['node', 'ready'],
                properties: { node: { type: 'string' }, ready: { type: 'boolean' } },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['workload', 'pod'],
                properties: { workload: name, pod: { type: 'string' } },
              },
            ],
          },
        },
      },
    },
    faults: {
      type: 'object',
      additionalProperties: false,
      required: ['every', 'repair'],
      properties: {
        start: duration,
        every: duration,
        repair: spread,
        nodePools: { type: 'array', items: { type: 'string' } },
      },
    },
    generators: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'kind', 'count', 'every', 'project', 'gpus'],
        properties: {
          name,
          kind: { enum: ['inference', 'training'] },
          count: { type: 'integer', minimum: 1, maximum: 1_000_000 },
          start: duration,
          every: duration,
          project: choice,
          gpus: choice,
          workers: choice,
          replicas: choice,
          duration: spread,
          priorityClass: { type: 'string' },
          nodePools: { type: 'array', items: { type: 'string' } },
          topology: {
            type: 'object',
            additionalProperties: false,
            required: ['level'],
            properties: { level: { type: 'string' }, required: { type: 'boolean' } },
          },
        },
      },
    },
  },
};
