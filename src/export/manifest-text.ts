/** A workload's manifest as text: YAML documents (the LeaderWorkerSet, then its Service), or a JSON `List`. */
import { stringify } from 'yaml';
import type { WorkloadManifest } from './lws-manifest.ts';

export type ManifestFormat = 'yaml' | 'json';

/** The objects in the order `kubectl apply` should meet them. */
export function manifestObjects(m: WorkloadManifest): object[] {
  return m.service === null ? [m.leaderWorkerSet] : [m.leaderWorkerSet, m.service];
}

export function manifestText(m: WorkloadManifest, format: ManifestFormat): string {
  const objects = manifestObjects(m);
  if (format === 'json') return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
  // No line folding: a long command line stays one scalar, as a person would read it.
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
