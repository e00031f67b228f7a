import { validateClusterDocument, type ClusterFileSpec } from '../../sim/cluster/index.ts';
import { SourceDocument, type ConfigError, type PathSegment } from '../../sim/config/source-document.ts';
import { readSchedulerBlock, type SchedulerConfig } from '../../sim/scheduler/index.ts';
import { readDelaysBlock } from '../../sim/workloads/delays-block.ts';
import { DEFAULT_DELAYS, type LifecycleDelays } from '../../sim/workloads/delays.ts';
import { readServerConfig, SERVER_CONFIG_KEYS, type ServerConfig } from './server-config.ts';

/** Everything a cluster file says, each block read by the room that owns it. */
export interface ClusterDocument {
  /** The cluster proper (sim/cluster): topology, GPU types, pools, departments; `local` pools still unfilled. */
  readonly spec: ClusterFileSpec;
  /** `scheduler:` (sim/scheduler), defaults filled in. */
  readonly scheduler: SchedulerConfig;
  /** `delays:` (sim/workloads) over the defaults; a scenario's own `delays:` goes over these. */
  readonly delays: LifecycleDelays;
  /** `users:` and `serving:`, for `lwsim serve`. */
  readonly server: ServerConfig;
}

export type ClusterDocumentResult = { ok: true; document: ClusterDocument } | { ok: false; errors: ConfigError[] };

/** Parses and reads a cluster file's text. Every error names the file, line, column and path. */
export function parseClusterText(file: string, text: string): ClusterDocumentResult {
  const parsed = SourceDocument.parse(file, text);
  if (!parsed.ok) return parsed;
  return readClusterDocument(parsed.value, parsed.source, []);
}

/**
 * Reads a cluster description found at `at` in `source` (a scenario embeds one): the top-level keys are split
 * among their owners, each checks its part, and every error of every part is reported, in document order.
 */
export function readClusterDocument(
  value: unknown,
  source: SourceDocument,
  at: readonly PathSegment[],
): ClusterDocumentResult {
  const { cluster, scheduler, delays, server } = splitBlocks(value);
  const clusterPart = validateClusterDocument(cluster, source, at);
  const schedulerPart = readSchedulerBlock(scheduler, source, [...at, 'scheduler']);
  const delaysPart = readDelaysBlock(delays, DEFAULT_DELAYS, source, [...at, 'delays']);
  const projects = clusterPart.ok
    ? new Set(clusterPart.spec.departments.flatMap((d) => d.projects.map((p) => p.name)))
    : undefined;
  const serverPart = readServerConfig(server, source, at, projects);
  if (clusterPart.ok && schedulerPart.ok && delaysPart.ok && serverPart.ok) {
    return {
      ok: true,
      document: {
        spec: clusterPart.spec,
        scheduler: schedulerPart.config,
        delays: delaysPart.delays,
        server: serverPart.config,
      },
    };
  }
  const errors = [clusterPart, schedulerPart, delaysPart, serverPart].flatMap((part) => (part.ok ? [] : part.errors));
  return { ok: false, errors: errors.sort((a, b) => a.line - b.line || a.column - b.column) };
}

/** The keys sim/cluster does not read, taken out of a document (anything but a mapping is left whole to it). */
function splitBlocks(value: unknown): {
  cluster: unknown;
  scheduler: unknown;
  delays: unknown;
  server: Record<string, unknown>;
} {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { cluster: value, scheduler: undefined, delays: undefined, server: {} };
  const { scheduler, delays, ...rest } = value as Record<string, unknown>;
  const server: Record<string, unknown> = {};
  const cluster: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(rest))
    ((SERVER_CONFIG_KEYS as readonly string[]).includes(key) ? server : cluster)[key] = item;
  return { cluster, scheduler, delays, server };
}
