import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { formatConfigError } from '../../sim/config/source-document.ts';
import { buildCluster, resolveLocalPools, type ClusterSpec, type ClusterState } from '../../sim/cluster/index.ts';
import { describeLocalMachine, localNodeSet, type LocalMachine } from '../hardware/index.ts';
import { parseClusterText, type ClusterDocument } from './cluster-document.ts';

export const DEFAULT_CLUSTER_FILE = fileURLToPath(new URL('../../scenarios/clusters/default.yaml', import.meta.url));

/** A cluster file made real: the built cluster, and the file's other blocks beside it. */
export type LoadedCluster =
  | ({ ok: true; spec: ClusterSpec; cluster: ClusterState; machine?: LocalMachine } & Omit<ClusterDocument, 'spec'>)
  | { ok: false; errors: string[] };

/**
 * Reads a cluster file, validates it, fills any `local` pool with this machine and builds the cluster.
 * Errors come back as `file:line:column: path: message` lines, never as exceptions.
 */
export async function loadClusterFile(file: string, machine?: LocalMachine): Promise<LoadedCluster> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`] };
  }
  const parsed = parseClusterText(file, text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map(formatConfigError) };
  return completeCluster(parsed.document, file, machine);
}

/**
 * A validated cluster file made real: any `local` pool filled with this machine (described once, on demand), and
 * the cluster built. `where` prefixes the (rare) errors only the built layout can find.
 */
export async function completeCluster(
  document: ClusterDocument,
  where: string,
  machine?: LocalMachine,
): Promise<LoadedCluster> {
  const { spec: fileSpec, ...blocks } = document;
  const needsMachine = fileSpec.nodePools.some((p) => 'local' in p);
  const local = needsMachine ? (machine ?? (await describeLocalMachine())) : undefined;
  const spec = local ? resolveLocalPools(fileSpec, localNodeSet(local)) : (fileSpec as ClusterSpec);
  const built = buildCluster(spec);
  if (!built.ok) return { ok: false, errors: built.errors.map((e) => `${where}: ${e.path.join('.')}: ${e.message}`) };
  return { ok: true, spec, cluster: built.cluster, ...blocks, ...(local ? { machine: local } : {}) };
}
