/**
 * The benchmark runner: `npm run bench` runs every suite and prints a table per suite;
 * `npm run bench -- <suite> [<suite>...] [--json]` runs the named ones. With `--json`, stdout carries exactly one
 * JSON object (suite name -> figures, or the figures alone for a single suite); everything else goes to stderr.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSuite, Figures } from './suite.ts';

const suitesDir = join(dirname(fileURLToPath(import.meta.url)), 'suites');

async function loadSuites(): Promise<Map<string, BenchSuite>> {
  const suites = new Map<string, BenchSuite>();
  for (const file of readdirSync(suitesDir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const module = (await import(pathToFileURL(join(suitesDir, file)).href)) as { default: BenchSuite };
    suites.set(module.default.name ?? basename(file, '.ts'), module.default);
  }
  return suites;
}

function table(figures: Figures): string {
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  return Object.entries(figures)
    .map(
      ([key, value]) =>
        `  ${key.padEnd(width)}  ${typeof value === 'number' ? value.toLocaleString('en') : String(value)}`,
    )
    .join('\n');
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const names = argv.filter((a) => !a.startsWith('--'));
  const suites = await loadSuites();
  const unknown = names.filter((n) => !suites.has(n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown suite: ${unknown.join(', ')} (known: ${[...suites.keys()].join(', ')})\n`);
    return 2;
  }
  const chosen = names.length > 0 ? names : [...suites.keys()];
  const results: Record<string, Figures> = {};
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  for (const name of chosen) {
    const suite = suites.get(name)!;
    log(`# ${name}: ${suite.description}`);
    results[name] = await suite.run(log);
    if (!json) process.stdout.write(`${name}\n${table(results[name])}\n\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(chosen.length === 1 ? results[chosen[0]!] : results)}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
