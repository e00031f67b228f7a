// Turns ajv validation errors into messages that name the offending field the way a client wrote it
// (`spec.leader.environmentVariables[0].name: must be string`), for the 400 error body.

/** The part of an ajv `ErrorObject` (and of fastify's `FastifySchemaValidationError`) the formatter reads. */
export interface ValidationIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string | undefined;
}

/** Where the invalid data came from; names the root when the whole part is wrong. */
export type ValidationLocation = 'body' | 'querystring' | 'params' | 'headers' | 'response';

const ROOT_NAMES: Readonly<Record<ValidationLocation, string>> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'headers',
  response: 'response',
};

// Errors that only restate that a subschema failed; the subschema's own error says what is wrong.
const COMPOSITE_KEYWORDS = new Set(['if', 'allOf', 'anyOf', 'oneOf', '$ref']);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `/spec/leader/env/0/name` -> `spec.leader.env[0].name`; the empty pointer -> `''`. */
export function fieldPath(instancePath: string): string {
  if (instancePath === '') return '';
  let out = '';
  for (const raw of instancePath.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^(0|[1-9][0-9]*)$/.test(segment)) out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** One readable line per issue, most specific first, without the composite noise. */
export function describeIssues(issues: readonly ValidationIssue[], location: ValidationLocation): string[] {
  const specific = issues.filter((i) => !COMPOSITE_KEYWORDS.has(i.keyword));
  const chosen = specific.length > 0 ? specific : issues;
  const lines = chosen.map((issue) => describeIssue(issue, location));
  return [...new Set(lines)];
}

/** The error body's `message` (first issue) and `details` (all of them, when there are several). */
export function validationMessage(
  issues: readonly ValidationIssue[],
  location: ValidationLocation,
): { message: string; details: string | undefined } {
  const lines = describeIssues(issues, location);
  const first = lines[0] ?? `${ROOT_NAMES[location]}: is invalid`;
  return { message: first, details: lines.length > 1 ? lines.join('; ') : undefined };
}

function describeIssue(issue: ValidationIssue, location: ValidationLocation): string {
  const root = ROOT_NAMES[location];
  const at = (path: string): string => (path === '' ? root : path);
  const field = fieldPath(issue.instancePath);
  const p = issue.params;
  switch (issue.keyword) {
    case 'required': {
      return `${at(fieldPath(childPointer(issue.instancePath, String(p.missingProperty))))}: is required`;
    }
    case 'type': {
      return `${at(field)}: must be ${String(p.type).split(',').join(' or ')}`;
    }
    case 'enum': {
      const allowed = Array.isArray(p.allowedValues) ? p.allowedValues.map((v) => JSON.stringify(v)).join(', ') : '';
      return `${at(field)}: must be one of ${allowed}`;
    }
    case 'additionalProperties':
      return `${at(fieldPath(childPointer(issue.instancePath, String(p.additionalProperty))))}: is not allowed`;
    default:
      return `${at(field)}: ${issue.message ?? `fails ${issue.keyword}`}`;
  }
}

// The pointer of a child property, so fieldPath applies the same quoting to it.
function childPointer(instancePath: string, name: string): string {
  return `${instancePath}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}
