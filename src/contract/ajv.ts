// Ajv instances that know the contract: formats (uuid, date-time, int32, int64, double, hostname...) and
// the bundle of shared schemas. Three configurations, because request bodies, request parameters and
// responses need different treatment of types and defaults.
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { RE2JS } from 're2js';
import { contractRef, getContract } from './contract.ts';
import { componentName, type JsonSchema } from './openapi-to-json-schema.ts';

/**
 * - `body`: JSON already carries types, so nothing is coerced (`"workers": "2"` is a 400, as on Run:ai);
 *   the contract's defaults are filled in.
 * - `parameters`: query strings and paths are text, so values are coerced to the declared types
 *   (`limit=10` -> 10, a lone `filterBy` value -> a one-element array) and defaults are filled in.
 * - `check`: for tests and assertions on responses: never changes the data, reports every error.
 */
export type ValidationMode = 'body' | 'parameters' | 'check';

// ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `.default` is the
// plugin both for the type checker and at run time.
const addFormats = ajvFormats.default;

/** Values up to this length may be matched by V8. */
const SHORT_VALUE = 64;

/** A group repeated (`(...)*`, `(...)+`, `(...){n,}`): the shape for which V8 may backtrack exponentially. */
const REPEATED_GROUP = /\)[*+{]/;

/**
 * The contract's `pattern`s matched in bounded time. V8's backtracking takes polynomial time on the quantity
 * pattern (`"1" x 100,000 + "x"` blocked the server for 8 s); RE2's automata (re2js) take linear time but cost
 * 5-8x more per value. So a long value goes to RE2, and a short one to V8 unless the pattern repeats a group:
 * without one, V8's worst case over 64 characters is well under a millisecond. `.*` matches anything.
 */
/**
 * `pattern` with each `.` outside a character class spelled as V8 reads it: RE2's `.` also matches `\r`, U+2028
 * and U+2029, which V8's does not.
 */
function withV8Dot(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[++i] ?? '');
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c === '.' && !inClass ? '[^\\n\\r\\x{2028}\\x{2029}]' : c;
  }
  return out;
}

class BoundedPattern {
  private readonly re2: RE2JS | undefined;
  private readonly v8: RegExp | undefined;

  constructor(private readonly pattern: string) {
    if (pattern === '.*') return;
    this.re2 = RE2JS.compile(withV8Dot(pattern));
    if (!REPEATED_GROUP.test(pattern)) this.v8 = new RegExp(pattern, 'u');
  }

  test(value: string): boolean {
    if (this.re2 === undefined) return true;
    return this.v8 !== undefined && value.length <= SHORT_VALUE ? this.v8.test(value) : this.re2.test(value);
  }

  /** ajv keys compiled patterns by this text: it must name the pattern. */
  toString(): string {
    return this.pattern;
  }
}

/** ajv's `code.regExp`: every contract pattern through BoundedPattern. */
export const boundedRegExp = Object.assign((pattern: string) => new BoundedPattern(pattern), {
  code: 'BoundedPattern',
});

const BASE_OPTIONS: Options = {
  // Strict: an unknown keyword or format, or a type-less `properties`, is a conversion bug, not a warning.
  strict: true,
  // The platform contract requires properties that a sibling allOf member declares (Project: `resources`), which is
  // valid JSON Schema; strict mode's `strictRequired` would refuse it.
  strictRequired: false,
  addUsedSchema: false,
  code: { regExp: boundedRegExp },
};

const MODE_OPTIONS: Readonly<Record<ValidationMode, Options>> = {
  body: { coerceTypes: false, useDefaults: true, allErrors: false },
  parameters: { coerceTypes: 'array', useDefaults: true, allErrors: false },
  check: { coerceTypes: false, useDefaults: false, allErrors: true },
};

/** A fresh ajv instance in the given mode with formats and the contract bundle registered. */
export function createContractAjv(mode: ValidationMode): Ajv {
  const ajv = new Ajv({ ...BASE_OPTIONS, ...MODE_OPTIONS[mode] });
  addFormats(ajv);
  ajv.addSchema(getContract().bundle);
  return ajv;
}

const shared = new Map<ValidationMode, Ajv>();

/** The process-wide ajv instance for a mode (compiled validators are cached inside it). */
export function contractAjv(mode: ValidationMode): Ajv {
  let ajv = shared.get(mode);
  if (ajv === undefined) {
    ajv = createContractAjv(mode);
    shared.set(mode, ajv);
  }
  return ajv;
}

/**
 * `value` with the contract's defaults filled in (in place) wherever the component's schema declares them, as
 * validating a request body does; it is not otherwise checked (use it on what was valid when received).
 */
export function withContractDefaults<T>(component: string, value: T): T {
  const fill = contractAjv('body').getSchema(contractRef(component));
  if (fill === undefined) throw new Error(`no contract schema ${component}`);
  fill(value);
  return value;
}

const bySchema = new WeakMap<object, ValidateFunction>();

/**
 * A validator (mode `check`) for a component name (`'Error'`), a ref (`'runai#/definitions/Error'` or the
 * contract's own `'#/components/schemas/Error'`) or a converted schema (e.g. `responseSchema(op, 200)`). After a failed call, `.errors` lists every error.
 */
export function validatorFor(schemaRef: string | JsonSchema): ValidateFunction {
  const ajv = contractAjv('check');
  if (typeof schemaRef === 'string') {
    const ref = schemaRef.startsWith('#/components/schemas/')
      ? contractRef(componentName(schemaRef))
      : schemaRef.includes('#')
        ? schemaRef
        : contractRef(schemaRef);
    const validate = ajv.getSchema(ref);
    if (validate === undefined) throw new Error(`no contract schema ${ref}`);
    return validate;
  }
  if (typeof schemaRef === 'boolean') return ajv.compile(schemaRef);
  let validate = bySchema.get(schemaRef);
  if (validate === undefined) {
    validate = ajv.compile(schemaRef);
    bySchema.set(schemaRef, validate);
  }
  return validate;
}

/** Every way `data` breaks the schema, as ajv errors; empty when it conforms. */
export function contractErrors(schemaRef: string | JsonSchema, data: unknown): readonly ErrorObject[] {
  const validate = validatorFor(schemaRef);
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
