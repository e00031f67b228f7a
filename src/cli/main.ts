/**
 * The `lwsim` command line. Each command lives in its own module; this file only routes and reports usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_CLUSTER_FILE, loadClusterFile } from '../config/load-cluster.ts';
import { benchCommand, BENCH_USAGE } from './commands/bench.ts';
import { capacityCommand, CAPACITY_USAGE } from './commands/capacity.ts';
import { clusterSummary, formatClusterSummary } from './commands/cluster.ts';
import { experimentCommand, EXPERIMENT_USAGE } from './commands/experiment.ts';
import { importCommand, IMPORT_USAGE } from './commands/import.ts';
import { exportCommand, EXPORT_USAGE } from './commands/export.ts';
import { perfCommand, PERF_USAGE } from './commands/perf.ts';
import { replayCommand, REPLAY_USAGE } from './commands/replay.ts';
import { serve, SERVE_USAGE } from './commands/serve.ts';

const CLUSTER_USAGE = 'lwsim cluster [--cluster FILE] [--json]';

const USAGE = `usage: lwsim <command> [options]

commands:
  serve                     the Run:ai API over a live simulated cluster (\`npm start\` runs it)
                            ${SERVE_USAGE}
  replay FILE               replay a scenario file in virtual time and report
                            ${REPLAY_USAGE}
  cluster [--cluster FILE]  validate a cluster file and describe it (--json for machines)
                            ${CLUSTER_USAGE}
  perf step|fit|models|gpus the GPU performance model: one iteration's price, a memory plan, the presets
                            lwsim perf step --model llama-3.1-70b --gpu H100-SXM-80GB --tp 4 --decode 64x1500
  bench serve               a virtual \`vllm bench serve\`: the serving simulation, vLLM's flags and result keys
                            lwsim bench serve --model llama-3.1-8b --gpu H100-SXM-80GB --max-concurrency 32
  capacity                  the cheapest deployment meeting an SLO for a traffic, by simulation
                            lwsim capacity --model llama-3.1-8b --request-rate 20 --random-input-len 1024 \\
                              --random-output-len 128 --slo 'ttft:p90<=500ms' --slo 'tpot:p99<=50ms'
  import openb|nodes        a cluster file (and a scenario) from the openb trace or a CSV of nodes
                            ${IMPORT_USAGE}
  experiment fgd            the FGD (ATC'23) placement-policy comparison on an openb trace, seeds x policies
                            ${EXPERIMENT_USAGE}
  export                    a workload as the Kubernetes objects a real cluster runs: LeaderWorkerSet + Service
                            lwsim export --request request.json | lwsim export --workload ID --url URL
  help [COMMAND]            this text, or a command's usage (also: lwsim COMMAND --help, -h)
  version                   the version (also: --version, -v)
`;

/** Each command's usage, printed by `--help` and after a bad flag. */
const COMMAND_USAGE: Record<string, string> = {
  serve: SERVE_USAGE,
  start: SERVE_USAGE,
  replay: REPLAY_USAGE,
  cluster: CLUSTER_USAGE,
  perf: PERF_USAGE,
  bench: BENCH_USAGE,
  capacity: CAPACITY_USAGE,
  experiment: EXPERIMENT_USAGE,
  import: IMPORT_USAGE,
  export: EXPORT_USAGE,
};

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `lwsim ${manifest.version}\n`;
}

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
  perf: perfCommand,
  bench: benchCommand,
  capacity: capacityCommand,
  experiment: experimentCommand,
  import: importCommand,
  export: exportCommand,
  help: async ([name]) => {
    if (name !== undefined && !Object.hasOwn(COMMAND_USAGE, name)) {
      process.stderr.write(`lwsim: unknown command "${name}"\n\n${USAGE}`);
      return 2;
    }
    process.stdout.write(name === undefined ? USAGE : `usage: ${COMMAND_USAGE[name]}\n`);
    return 0;
  },
  version: async () => {
    process.stdout.write(version());
    return 0;
  },
};

const ALIASES: Record<string, string> = { '--help': 'help', '-h': 'help', '--version': 'version', '-v': 'version' };

async function main(argv: string[]): Promise<number> {
  const [given = 'help', ...rest] = argv;
  const name = ALIASES[given] ?? given;
  // `lwsim COMMAND --help`: the command's usage, and nothing else done.
  if (Object.hasOwn(COMMAND_USAGE, name) && rest.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`usage: ${COMMAND_USAGE[name]}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`lwsim: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (e) {
    // Bad flags are the usual cause; say so plainly, with the command's usage, instead of a stack trace.
    const usage = COMMAND_USAGE[name];
    process.stderr.write(
      `lwsim ${name}: ${e instanceof Error ? e.message : String(e)}\n${usage ? `usage: ${usage}\n` : ''}`,
    );
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
