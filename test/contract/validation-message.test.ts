import { describe, expect, it } from 'vitest';
import {
  describeIssues,
  fieldPath,
  validationMessage,
  type ValidationIssue,
} from '../../src/contract/validation-message.ts';

function issue(
  keyword: string,
  instancePath: string,
  params: Record<string, unknown> = {},
  message?: string,
): ValidationIssue {
  return { keyword, instancePath, schemaPath: `#/${keyword}`, params, message };
}

describe('fieldPath', () => {
  it('writes JSON pointers the way a client writes the field', () => {
    expect(fieldPath('')).toBe('');
    expect(fieldPath('/spec/workers')).toBe('spec.workers');
    expect(fieldPath('/spec/leader/environmentVariables/0/name')).toBe('spec.leader.environmentVariables[0].name');
    expect(fieldPath('/filterBy/2')).toBe('filterBy[2]');
    expect(fieldPath('/labels/app.kubernetes.io~1name')).toBe('labels["app.kubernetes.io/name"]');
    expect(fieldPath('/a~0b/c')).toBe('["a~b"].c');
  });
});

describe('validation messages', () => {
  it('names the field in each kind of failure', () => {
    expect(describeIssues([issue('required', '/spec', { missingProperty: 'leader' })], 'body')).toEqual([
      'spec.leader: is required',
    ]);
    expect(describeIssues([issue('type', '/spec/workers', { type: 'integer,null' })], 'body')).toEqual([
      'spec.workers: must be integer or null',
    ]);
    expect(describeIssues([issue('enum', '/sortOrder', { allowedValues: ['asc', 'desc'] })], 'querystring')).toEqual([
      'sortOrder: must be one of "asc", "desc"',
    ]);
    expect(describeIssues([issue('additionalProperties', '', { additionalProperty: 'extra' })], 'body')).toEqual([
      'extra: is not allowed',
    ]);
    expect(describeIssues([issue('maximum', '/limit', { limit: 500 }, 'must be <= 500')], 'querystring')).toEqual([
      'limit: must be <= 500',
    ]);
  });

  it('names the request part when the whole part is wrong', () => {
    expect(describeIssues([issue('type', '', { type: 'object' })], 'body')).toEqual(['body: must be object']);
    expect(describeIssues([issue('type', '', { type: 'object' })], 'querystring')).toEqual(['query: must be object']);
  });

  it('drops composite noise (if/allOf/anyOf) and repeats, puts the rest in details', () => {
    const issues = [
      issue('type', '/spec/leader', { type: 'object,null' }),
      issue('if', '/spec/leader', { failingKeyword: 'else' }, 'must match "else" schema'),
      issue('maximum', '/spec/workers', { limit: 1000 }, 'must be <= 1000'),
      issue('maximum', '/spec/workers', { limit: 1000 }, 'must be <= 1000'),
    ];
    expect(validationMessage(issues, 'body')).toEqual({
      message: 'spec.leader: must be object or null',
      details: 'spec.leader: must be object or null; spec.workers: must be <= 1000',
    });
    expect(validationMessage([issue('maximum', '/x', {}, 'must be <= 1')], 'body')).toEqual({
      message: 'x: must be <= 1',
      details: undefined,
    });
    expect(validationMessage([], 'params').message).toBe('path: is invalid');
  });
});
