import type { SchemaObject } from 'ajv';
import { SchemaCheck } from '../../sim/config/schema-check.ts';
import type { ConfigError, PathSegment, SourceDocument } from '../../sim/config/source-document.ts';
import { MODEL_PRESETS, type ModelSize } from '../../sim/perf/presets.ts';

/** Someone who may call the API, with which bearer token, for which projects. */
export interface ServerUser {
  readonly email: string;
  readonly token: string;
  readonly projects: readonly string[] | 'all';
  readonly admin: boolean;
}

/**
 * What `lwsim serve` needs beyond the simulated cluster: the API's users and the live serving endpoint's default
 * model size. It lives in the cluster file (`users:`, `serving:`) but is the outside world's, not the model's.
 */
export interface ServerConfig {
  readonly users: readonly ServerUser[];
  /** Which synthetic model a Running workload serves without a `lwsim.io/model-size` annotation; unset: the default. */
  readonly modelSize?: ModelSize;
}

/** The cluster file's top-level keys that make up the ServerConfig. */
export const SERVER_CONFIG_KEYS = ['users', 'serving'] as const;

const SERVER_CONFIG_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    serving: {
      type: 'object',
      additionalProperties: false,
      required: ['modelSize'],
      properties: { modelSize: { enum: Object.keys(MODEL_PRESETS) } },
    },
    users: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'token'],
        properties: {
          email: { type: 'string', minLength: 3, maxLength: 254 },
          token: { type: 'string', pattern: '^[A-Za-z0-9._~+/-]{16,4096}=*$' },
          projects: { oneOf: [{ const: 'all' }, { type: 'array', items: { type: 'string', minLength: 1 } }] },
          admin: { type: 'boolean' },
        },
      },
    },
  },
};

const schemaCheck = new SchemaCheck(SERVER_CONFIG_SCHEMA);

interface RawServerConfig {
  serving?: { modelSize: ModelSize };
  users?: { email: string; token: string; projects?: string[] | 'all'; admin?: boolean }[];
}

export type ServerConfigResult = { ok: true; config: ServerConfig } | { ok: false; errors: ConfigError[] };

/**
 * Reads the server's blocks of a cluster document (`value` holds only those keys, found at `at` in `source`):
 * unique tokens and emails, and, when `projects` is known, projects that exist.
 */
export function readServerConfig(
  value: Readonly<Record<string, unknown>>,
  source: SourceDocument,
  at: readonly PathSegment[],
  projects: ReadonlySet<string> | undefined,
): ServerConfigResult {
  const schemaErrors = schemaCheck.check(value, source, at);
  if (schemaErrors.length > 0) return { ok: false, errors: schemaErrors };
  const raw = value as RawServerConfig;
  const errors: ConfigError[] = [];
  const error = (path: PathSegment[], message: string): void =>
    void errors.push(source.errorAt([...at, ...path], message));
  const tokens = new Set<string>();
  const emails = new Set<string>();
  const users = (raw.users ?? []).map((user, u): ServerUser => {
    if (tokens.has(user.token)) error(['users', u, 'token'], 'this token is already given to another user');
    if (emails.has(user.email)) error(['users', u, 'email'], `user "${user.email}" is defined twice`);
    tokens.add(user.token);
    emails.add(user.email);
    const wanted = user.projects ?? 'all';
    if (wanted !== 'all' && projects !== undefined)
      wanted.forEach((p, i) => projects.has(p) || error(['users', u, 'projects', i], `unknown project "${p}"`));
    return { email: user.email, token: user.token, projects: wanted, admin: user.admin ?? false };
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: { users, ...(raw.serving ? { modelSize: raw.serving.modelSize } : {}) } };
}
