import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every TypeScript file under a folder, as paths relative to the repository. */
function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(folder, f));
}

/** The relative imports of a file (static, dynamic and re-exports), resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g,
  )) {
    found.push(relative(ROOT, resolve(ROOT, dirname(file), (m[1] ?? m[2])!)));
  }
  return found;
}

/** The room a file belongs to: `sim/<room>` or `src/<room>` (a file directly under sim/ or src/ is its own). */
function roomOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
}

const FILES = [...sources('sim'), ...sources('src')];
const EDGES = FILES.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

describe('the architecture', () => {
  it('reads the import lines it checks', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(EDGES.some((e) => e.from === 'sim/scheduler/scheduler.ts' && e.to.startsWith('sim/cluster/'))).toBe(true);
  });

  it('keeps sim/ pure: no import of src/', () => {
    const bad = EDGES.filter((e) => e.from.startsWith('sim/') && e.to.startsWith('src/'));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('keeps the API out of the layers beneath it', () => {
    const below = ['src/completions', 'src/scenario', 'src/runtime', 'src/runai', 'src/contract'];
    const bad = EDGES.filter((e) => below.includes(roomOf(e.from)) && roomOf(e.to) === 'src/api');
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('has no cycle between rooms', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of EDGES) {
      const [a, b] = [roomOf(from), roomOf(to)];
      if (a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
    }
    expect(findCycle(graph)).toEqual([]);
  });
});

/** One cycle of the graph as the rooms along it (empty if there is none): depth-first search with colours. */
function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const cycle = visit(next);
        if (cycle.length > 0) return cycle;
      }
    }
    path.pop();
    state.set(node, 'done');
    return [];
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) === undefined) {
      const cycle = visit(node);
      if (cycle.length > 0) return cycle;
    }
  }
  return [];
}
