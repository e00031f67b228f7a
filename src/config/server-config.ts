import type { SchemaObject } from 'ajv';
import { SchemaCheck } from '../../sim/config/schema-check.ts';
import type { ConfigError, PathSegment, SourceDocument } from '../../sim/config/source-document.ts';
import { dirname } from 'node:path';
import { MODEL_PRESETS, type ModelSize } from '../../sim/perf/presets.ts';
import type { WorkloadTraffic } from '../../sim/serving/traffic.ts';
import { DEFAULT_SERVER_LIMITS, type ClusterLimits } from '../../sim/simulator/limits.ts';
import type { Application } from '../api/access-tokens.ts';
import { readTrafficTemplate, TRAFFIC_SCHEMA, type RawTraffic } from '../serving/read-traffic.ts';

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
  /** `traffic:`: workloads created under these names are served request by request (their serving metrics). */
  readonly traffic: ReadonlyMap<string, WorkloadTraffic>;
  /** `limits:` over DEFAULT_SERVER_LIMITS: what creates and scales may ask for. */
  readonly limits: ClusterLimits;
  /** `applications:`: who may exchange credentials for access tokens (POST /api/v1/token). */
  readonly applications: readonly Application[];
}

/** The cluster file's top-level keys that make up the ServerConfig. */
export const SERVER_CONFIG_KEYS = ['users', 'serving', 'traffic', 'limits', 'applications'] as const;

/** What a user or an application may use: every project, or those named. */
const PROJECTS_SCHEMA = { oneOf: [{ const: 'all' }, { type: 'array', items: { type: 'string', minLength: 1 } }] };

const SERVER_CONFIG_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        Object.keys(DEFAULT_SERVER_LIMITS).map((key) => [key, { type: 'integer', minimum: 1 }]),
      ),
    },
    serving: {
      type: 'object',
      additionalProperties: false,
      required: ['modelSize'],
      properties: { modelSize: { enum: Object.keys(MODEL_PRESETS) } },
    },
    traffic: {
      type: 'array',
      items: {
        ...TRAFFIC_SCHEMA,
        required: ['workload', ...TRAFFIC_SCHEMA.required],
        properties: { workload: { type: 'string', minLength: 1 }, ...TRAFFIC_SCHEMA.properties },
      },
    },
    applications: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'secretSha256'],
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 128 },
          secretSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          projects: PROJECTS_SCHEMA,
          admin: { type: 'boolean' },
        },
      },
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
          projects: PROJECTS_SCHEMA,
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
  traffic?: (RawTraffic & { workload: string })[];
  limits?: Partial<ClusterLimits>;
  applications?: { id: string; secretSha256: string; projects?: string[] | 'all'; admin?: boolean }[];
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
  // Projects granted (default every one), each checked to exist when the cluster's projects are known.
  const granted = (wanted: string[] | 'all' | undefined, path: PathSegment[]): readonly string[] | 'all' => {
    if (wanted !== undefined && wanted !== 'all' && projects !== undefined)
      wanted.forEach((p, i) => projects.has(p) || error([...path, i], `unknown project "${p}"`));
    return wanted ?? 'all';
  };
  const tokens = new Set<string>();
  const emails = new Set<string>();
  const users = (raw.users ?? []).map((user, u): ServerUser => {
    if (tokens.has(user.token)) error(['users', u, 'token'], 'this token is already given to another user');
    if (emails.has(user.email)) error(['users', u, 'email'], `user "${user.email}" is defined twice`);
    tokens.add(user.token);
    emails.add(user.email);
    const wanted = granted(user.projects, ['users', u, 'projects']);
    return { email: user.email, token: user.token, projects: wanted, admin: user.admin ?? false };
  });
  const appIds = new Set<string>();
  const applications = (raw.applications ?? []).map((app, a): Application => {
    if (appIds.has(app.id)) error(['applications', a, 'id'], `application "${app.id}" is defined twice`);
    appIds.add(app.id);
    const wanted = granted(app.projects, ['applications', a, 'projects']);
    return { id: app.id, secretSha256: app.secretSha256, projects: wanted, admin: app.admin ?? false };
  });
  const traffic = new Map<string, WorkloadTraffic>();
  (raw.traffic ?? []).forEach(({ workload, ...t }, i) => {
    if (traffic.has(workload)) error(['traffic', i, 'workload'], `traffic for "${workload}" is given twice`);
    const read = readTrafficTemplate(t, dirname(source.file), [...at, 'traffic', i], (path, message) => {
      errors.push(source.errorAt(path, message));
      return undefined;
    });
    // A live workload has no horizon to ramp towards.
    if (read?.load.kind === 'synthetic' && read.load.arrivals.kind === 'ramp' && read.load.requests === undefined)
      error(['traffic', i, 'ramp'], 'a ramp on the live server needs requests: (how many it ramps over)');
    else if (read) traffic.set(workload, read);
  });
  if (errors.length > 0) return { ok: false, errors };
  const limits = { ...DEFAULT_SERVER_LIMITS, ...raw.limits };
  return {
    ok: true,
    config: { users, traffic, limits, applications, ...(raw.serving ? { modelSize: raw.serving.modelSize } : {}) },
  };
}
