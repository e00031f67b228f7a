// `lwsim import`: real inventories and traces in. `openb` writes a cluster file and a scenario from the Alibaba
// openb trace; `nodes` writes a cluster file from a CSV of nodes. Both files are read back with lwsim's own loaders.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { clusterDocument, inventoryFromOpenb, parseInventory } from '../../../sim/import/inventory.ts';
import { scenarioDocument } from '../../../sim/import/openb-scenario.ts';
import { loadClusterFile } from '../../config/load-cluster.ts';
import {
  DEFAULT_OPENB_NODES,
  DEFAULT_OPENB_PODS,
  readOpenbNodes,
  readOpenbPods,
  readWith,
} from '../../import/read-openb.ts';
import { loadScenarioFile } from '../../scenario/load-scenario.ts';

export const IMPORT_USAGE = `lwsim import openb [--nodes FILE] [--pods FILE] --out DIR [--name NAME]
         lwsim import nodes --csv FILE --out DIR [--name NAME]   (columns: name,pool,cpu,memory,gpu_count,gpu_model,gpu_memory_gib)`;

const PROJECT = 'openb';

export async function importCommand(args: string[]): Promise<number> {
  const [kind, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      nodes: { type: 'string', default: DEFAULT_OPENB_NODES },
      pods: { type: 'string', default: DEFAULT_OPENB_PODS },
      csv: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
    },
  });
  if (values.out === undefined) return usage('--out DIR is required');
  if (kind === 'openb') return importOpenb(values.nodes, values.pods, values.out, values.name ?? 'openb');
  if (kind === 'nodes') {
    if (values.csv === undefined) return usage('--csv FILE is required');
    return importNodes(values.csv, values.out, values.name ?? 'imported');
  }
  return usage(kind === undefined ? 'name what to import: openb or nodes' : `unknown import "${kind}"`);
}

async function importOpenb(nodesFile: string, podsFile: string, out: string, name: string): Promise<number> {
  const [nodes, pods] = await Promise.all([readOpenbNodes(nodesFile), readOpenbPods(podsFile)]);
  if (!nodes.ok || !pods.ok) return fail([...(nodes.ok ? [] : nodes.errors), ...(pods.ok ? [] : pods.errors)]);
  const cluster = clusterDocument(inventoryFromOpenb(nodes.items, PROJECT), {
    name,
    project: PROJECT,
    source: `openb ${basename(nodesFile)}`,
  });
  const scenario = scenarioDocument(pods.items, { name, cluster: 'cluster.yaml', project: PROJECT });
  const paths = await write(out, { 'cluster.yaml': cluster, 'scenario.yaml': scenario });
  const loaded = await loadScenarioFile(paths['scenario.yaml']!);
  if (!loaded.ok) return fail(loaded.errors);
  process.stdout.write(
    `wrote ${paths['cluster.yaml']} (${nodes.items.length} nodes) and ${paths['scenario.yaml']} (${pods.items.length} pods); ` +
      `both load: lwsim replay ${paths['scenario.yaml']}\n`,
  );
  return 0;
}

async function importNodes(csv: string, out: string, name: string): Promise<number> {
  const nodes = await readWith(csv, parseInventory);
  if (!nodes.ok) return fail(nodes.errors);
  const paths = await write(out, { 'cluster.yaml': clusterDocument(nodes.items, { name, source: basename(csv) }) });
  const loaded = await loadClusterFile(paths['cluster.yaml']!);
  if (!loaded.ok) return fail(loaded.errors);
  process.stdout.write(
    `wrote ${paths['cluster.yaml']} (${nodes.items.length} nodes); it loads: lwsim cluster --cluster ${paths['cluster.yaml']}\n`,
  );
  return 0;
}

async function write(dir: string, files: Record<string, unknown>): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const paths: Record<string, string> = {};
  for (const [file, document] of Object.entries(files)) {
    paths[file] = join(dir, file);
    await writeFile(paths[file], `# Written by lwsim import.\n${stringify(document, { lineWidth: 0 })}`);
  }
  return paths;
}

function fail(errors: readonly string[]): number {
  for (const e of errors) process.stderr.write(`${e}\n`);
  return 2;
}

function usage(message: string): number {
  process.stderr.write(`lwsim import: ${message}\nusage: ${IMPORT_USAGE}\n`);
  return 2;
}
