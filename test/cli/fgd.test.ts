// `lwsim experiment fgd` and `lwsim import` end to end, on a small subset of the openb trace in a temp dir.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSeeds } from '../../src/cli/commands/experiment.ts';

const ROOT = join(import.meta.dirname, '../..');
const lwsim = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/lwsim.js'), ...args], { encoding: 'utf8', timeout: 120_000 });

/** Every 10th GPU node and the first 300 pods of the repository's copy of the trace. */
function subset(): { dir: string; nodes: string; pods: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lwsim-fgd-'));
  const [nodeHeader, ...nodeRows] = readFileSync(join(ROOT, 'data/traces/openb_node_list_gpu_node.csv'), 'utf8')
    .trim()
    .split('\n');
  const [podHeader, ...podRows] = readFileSync(join(ROOT, 'data/traces/openb_pod_list_default.csv'), 'utf8')
    .trim()
    .split('\n');
  const nodes = join(dir, 'nodes.csv');
  const pods = join(dir, 'pods.csv');
  writeFileSync(nodes, [nodeHeader, ...nodeRows.filter((_, i) => i % 10 === 0)].join('\n'));
  writeFileSync(pods, [podHeader, ...podRows.slice(0, 300)].join('\n'));
  return { dir, nodes, pods };
}

describe('lwsim experiment fgd', () => {
  it('prints per policy every bin of the allocation and fragmentation curves, and writes a report', () => {
    const { dir, nodes, pods } = subset();
    const report = join(dir, 'report');
    const r = lwsim(
      'experiment',
      'fgd',
      '--nodes',
      nodes,
      '--pods',
      pods,
      '--policy',
      'fgd,random',
      '--seeds',
      '1-2',
      '--json',
      '--report',
      report,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as {
      nodes: number;
      seeds: number[];
      policies: Record<
        string,
        {
          allocationByArrived: Record<string, number | null>;
          fragRatioByArrived: Record<string, number | null>;
          seeds: unknown[];
        }
      >;
    };
    expect(json.nodes).toBe(122);
    expect(json.seeds).toEqual([1, 2]);
    expect(Object.keys(json.policies)).toEqual(['fgd', 'random']);
    for (const p of Object.values(json.policies)) {
      expect(Object.keys(p.allocationByArrived)).toEqual(Array.from({ length: 131 }, (_, k) => String(k)));
      expect(p.allocationByArrived['130']).toBeGreaterThan(50);
      expect(p.allocationByArrived['130']).toBeLessThanOrEqual(100);
      expect(Object.keys(p.fragRatioByArrived)).toHaveLength(131);
      expect(p.seeds).toHaveLength(2);
    }
    const html = readFileSync(join(report, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(existsSync(join(report, 'report.md'))).toBe(true);
  });

  it('prints a table by default and refuses unknown policies', () => {
    const { nodes, pods } = subset();
    const r = lwsim('experiment', 'fgd', '--nodes', nodes, '--pods', pods, '--policy', 'bestfit', '--seeds', '3');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^BestFit +\d/m);
    const bad = lwsim('experiment', 'fgd', '--nodes', nodes, '--pods', pods, '--policy', 'worstfit');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown policy worstfit/);
  });

  it('names the file, line and column of a malformed row', () => {
    const { dir, pods } = subset();
    const nodes = join(dir, 'bad.csv');
    writeFileSync(nodes, 'sn,cpu_milli,memory_mib,gpu,model\nn0,64000,262144,two,T4\n');
    const r = lwsim('experiment', 'fgd', '--nodes', nodes, '--pods', pods);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${nodes}:2:17: gpu must be a non-negative integer, got "two"\n`);
  });

  it('reads seed lists and ranges', () => {
    expect(parseSeeds('42-45')).toEqual([42, 43, 44, 45]);
    expect(parseSeeds('1,5')).toEqual([1, 5]);
    expect(parseSeeds('5-1')).toBeUndefined();
    expect(parseSeeds('x')).toBeUndefined();
  });
});

describe('lwsim import', () => {
  it('writes a cluster file and a scenario that lwsim replays', () => {
    const { dir, nodes, pods } = subset();
    const out = join(dir, 'out');
    const r = lwsim('import', 'openb', '--nodes', nodes, '--pods', pods, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const cluster = lwsim('cluster', '--cluster', join(out, 'cluster.yaml'), '--json');
    expect(cluster.status).toBe(0);
    const replay = lwsim('replay', join(out, 'scenario.yaml'), '--quiet', '--json', join(dir, 'replay.json'));
    expect(replay.status).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'replay.json'), 'utf8')) as { summary: { workloads: number } };
    expect(report.summary.workloads).toBe(300);
  });

  it('writes a cluster from a CSV of nodes, and names the place of a bad value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-nodes-'));
    const csv = join(dir, 'nodes.csv');
    writeFileSync(
      csv,
      'name,pool,cpu,memory,gpu_count,gpu_model\nh-0,h100,224,2Ti,8,H100-SXM-80GB\nh-1,h100,224,2Ti,8,H100-SXM-80GB\n',
    );
    const r = lwsim('import', 'nodes', '--csv', csv, '--out', join(dir, 'out'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const cluster = lwsim('cluster', '--cluster', join(dir, 'out', 'cluster.yaml'), '--json');
    const summary = JSON.parse(cluster.stdout) as { nodes: number; gpus: number; nodePools: { exampleNode: string }[] };
    expect([summary.nodes, summary.gpus, summary.nodePools[0]!.exampleNode]).toEqual([2, 16, 'h-0']);
    writeFileSync(csv, 'name,pool,cpu,memory,gpu_count,gpu_model\nh-0,h100,lots,2Ti,8,H100-SXM-80GB\n');
    const bad = lwsim('import', 'nodes', '--csv', csv, '--out', join(dir, 'out'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(new RegExp(`^${csv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:10: cpu: `));
  });
});
