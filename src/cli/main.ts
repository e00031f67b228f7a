/**
 * The `lwsim` command line. Each command lives in its own module; this file only routes and reports usage.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CLUSTER_FILE, loadClusterFile } from '../config/load-cluster.ts';
import { clusterSummary, formatClusterSummary } from './commands/cluster.ts';
import { replayCommand, REPLAY_USAGE } from './commands/replay.ts';
import { serve, SERVE_USAGE } from './commands/serve.ts';

const USAGE = `usage: lwsim <command> [options]

commands:
  serve                     the Run:ai API over a live simulated cluster (\`npm start\` runs it)
                            ${SERVE_USAGE}
  replay FILE               replay a scenario file in virtual time and report
                            ${REPLAY_USAGE}
  cluster [--cluster FILE]  validate a cluster file and describe it (--json for machines)
  help                      this text
`;

async function cluster(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { cluster: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const loaded = await loadClusterFile(values.cluster ?? DEFAULT_CLUSTER_FILE);
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`${e}\n`);
    return 2;
  }
  const summary = clusterSummary(loaded.cluster, loaded.machine);
  process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatClusterSummary(summary)}\n`);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  cluster,
  serve,
  start: serve,
  replay: replayCommand,
  help: async () => {
    process.stdout.write(USAGE);
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  const [name = 'help', ...rest] = argv;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`lwsim: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (e) {
    // Bad flags are the usual cause; say so plainly instead of a stack trace.
    process.stderr.write(`lwsim ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
