// Reads openb trace files for the importers and the FGD experiment; parsing is sim/import's.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { formatImportError } from '../../sim/import/csv.ts';
import { parseOpenbNodes, parseOpenbPods, type OpenbNode, type OpenbPod } from '../../sim/import/openb.ts';

/** The repository's copies of the default trace (data/traces/SOURCES.md). */
export const DEFAULT_OPENB_NODES = fileURLToPath(
  new URL('../../data/traces/openb_node_list_gpu_node.csv', import.meta.url),
);
export const DEFAULT_OPENB_PODS = fileURLToPath(
  new URL('../../data/traces/openb_pod_list_default.csv', import.meta.url),
);

export type Read<T> = { ok: true; items: T[] } | { ok: false; errors: string[] };

export function readOpenbNodes(file: string): Promise<Read<OpenbNode>> {
  return readWith(file, parseOpenbNodes);
}

export function readOpenbPods(file: string): Promise<Read<OpenbPod>> {
  return readWith(file, parseOpenbPods);
}

/** Reads a file and parses it; a missing file or a bad row comes back as `file[:line:column]: message` lines. */
export async function readWith<T>(
  file: string,
  parse: (
    file: string,
    text: string,
  ) => { ok: true; items: T[] } | { ok: false; errors: Parameters<typeof formatImportError>[0][] },
): Promise<Read<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`] };
  }
  const parsed = parse(file, text);
  return parsed.ok ? parsed : { ok: false, errors: parsed.errors.map(formatImportError) };
}
