import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import type { ConfigError, PathSegment, SourceDocument } from './source-document.ts';

/**
 * JSON-schema validation whose errors point into the YAML source. The schema does the shape (types, ranges,
 * enums, unknown keys); semantic rules that need the whole document are checked after it by the caller.
 */
export class SchemaCheck {
  private readonly validate: ValidateFunction;

  constructor(schema: SchemaObject) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    this.validate = ajv.compile(schema);
  }

  /** Errors of `value`, which sits at `at` inside the source document. */
  check(value: unknown, source: SourceDocument, at: readonly PathSegment[] = []): ConfigError[] {
    if (this.validate(value)) return [];
    return prune(this.validate.errors ?? []).map((e) =>
      source.errorAt([...at, ...pathOf(e)], describe(e), e.keyword === 'additionalProperties'),
    );
  }
}

function pathOf(error: ErrorObject): PathSegment[] {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  return segments;
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(error.params.additionalProperty)}"`;
    case 'required':
      return `missing required field "${String(error.params.missingProperty)}"`;
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return error.message ?? error.keyword;
  }
}

/** oneOf/anyOf report every branch; keep the most specific errors so a person sees one clear line per problem. */
function prune(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const seen = new Set<string>();
  return (specific.length > 0 ? specific : errors).filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
