// `lwsim export`: a distributed inference as the Kubernetes objects a real cluster would run (src/export) — from a
// creation request file, or from a workload of a running `lwsim serve` (its GET /sim/v1/workloads/{id}/manifest).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { formatConfigError } from '../../../sim/config/source-document.ts';
import { parseClusterText } from '../../config/cluster-document.ts';
import { DEFAULT_CLUSTER_FILE } from '../../config/load-cluster.ts';
import { exportTarget, manifestFromRequest, type ExportTarget } from '../../export/from-request.ts';
import { manifestText } from '../../export/manifest-text.ts';

export const EXPORT_USAGE = `lwsim export --request FILE [--cluster FILE] [--json]
       lwsim export --workload ID --url URL [--token T] [--json]
  a LeaderWorkerSet and its Service as YAML (--json: a v1 List), from a creation request body (JSON or YAML; its
  projectId is looked up in the cluster file) or from a workload of a running lwsim serve (token: --token or
  $LWSIM_TOKEN)`;

const options = {
  request: { type: 'string' },
  cluster: { type: 'string' },
  workload: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function fail(message: string, code = 2): number {
  process.stderr.write(`lwsim export: ${message}\n`);
  return code;
}

export async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options, strict: true });
  if ((values.request === undefined) === (values.workload === undefined))
    return fail(`give either --request FILE or --workload ID\nusage: ${EXPORT_USAGE}`);
  if (values.workload !== undefined) {
    if (values.url === undefined) return fail('--workload needs --url URL (a running lwsim serve)');
    return fetchManifest(values.url, values.workload, values.token ?? process.env.LWSIM_TOKEN, values.json === true);
  }
  if (values.url !== undefined || values.token !== undefined) return fail('--url and --token are for --workload');
  const target = await clusterTarget(values.cluster ?? DEFAULT_CLUSTER_FILE);
  if (!target.ok) return fail(target.message);
  const file = values.request!;
  let body: unknown;
  try {
    body = parse(await readFile(file, 'utf8'));
  } catch (e) {
    return fail(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const made = manifestFromRequest(body, target.value);
  if (!made.ok) return fail(`${file}: ${made.message}${'details' in made && made.details ? ` (${made.details})` : ''}`);
  process.stdout.write(manifestText(made.manifest, values.json ? 'json' : 'yaml'));
  return 0;
}

/** The projects and node pools a request file is exported against; a cluster file's `local` pool stays unfilled. */
export async function clusterTarget(
  file: string,
): Promise<{ ok: true; value: ExportTarget } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, message: `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  const parsed = parseClusterText(file, text);
  if (!parsed.ok) return { ok: false, message: parsed.errors.map(formatConfigError).join('\n') };
  return { ok: true, value: exportTarget(parsed.document.spec) };
}

/** The server's answer as is: the same manifest, or its error body's message (exit 1). */
async function fetchManifest(url: string, id: string, token: string | undefined, json: boolean): Promise<number> {
  const at = `${url.replace(/\/+$/, '')}/sim/v1/workloads/${encodeURIComponent(id)}/manifest${json ? '?format=json' : ''}`;
  let response: Response;
  try {
    response = await fetch(at, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (e) {
    return fail(`${at}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : String(e)}`, 1);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not the error body: print what came
    }
    return fail(`${response.status} from ${at}: ${message}`, 1);
  }
  process.stdout.write(text);
  return 0;
}
