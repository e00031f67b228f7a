import type { ClusterState } from '../../../sim/cluster/index.ts';
import type { LocalMachine } from '../../hardware/index.ts';

/** A plain-data summary of a cluster: pools, GPUs, topology and (when present) the local machine. */
export function clusterSummary(cluster: ClusterState, machine?: LocalMachine) {
  const { layout } = cluster;
  return {
    name: layout.spec.name,
    clusterId: layout.spec.id,
    topologyLevels: layout.levels,
    nodes: layout.nodes.length,
    gpus: layout.totalGpus,
    nodePools: layout.pools.map((pool) => {
      const first = layout.nodes[pool.nodes[0] ?? -1];
      return {
        name: pool.name,
        placement: pool.placement,
        nodes: pool.nodes.length,
        gpus: pool.gpuCount,
        gpuModels: [...new Set(pool.nodes.map((n) => layout.nodes[n]!.gpuModel))],
        domains: layout.levels.map((level, l) => ({
          level,
          count: layout.domains.filter((d) => d.pool === pool.index && d.level === l).length,
        })),
        freeGpus: cluster.domainFree(pool.root).gpus,
        exampleNode: first?.name,
      };
    }),
    ...(machine
      ? {
          localMachine: {
            hostname: machine.hostname,
            cpu: `${machine.cpu.brand} (${machine.cpu.cores} cores)`,
            memoryGiB: Math.round(machine.memoryBytes / 2 ** 30),
            os: `${machine.os.distro} ${machine.os.release} (${machine.os.arch})`,
            gpus: machine.gpus.map((g) => `${g.name} ${g.memoryMiB} MiB`),
            notes: machine.warnings,
          },
        }
      : {}),
  };
}

export function formatClusterSummary(summary: ReturnType<typeof clusterSummary>): string {
  const lines = [
    `cluster ${summary.name} (${summary.clusterId})`,
    `  ${summary.nodes} nodes, ${summary.gpus} GPUs; topology: ${summary.topologyLevels.join(' > ') || 'none'}`,
    '',
    `  ${'pool'.padEnd(10)} ${'nodes'.padStart(6)} ${'GPUs'.padStart(6)}  ${'model'.padEnd(16)} ${'placement'.padEnd(9)}  domains`,
  ];
  for (const pool of summary.nodePools) {
    const domains = pool.domains.map((d) => `${d.count} ${d.level}`).join(', ');
    lines.push(
      `  ${pool.name.padEnd(10)} ${String(pool.nodes).padStart(6)} ${String(pool.gpus).padStart(6)}  ${pool.gpuModels.join(',').padEnd(16)} ${pool.placement.padEnd(9)}  ${domains}`,
    );
  }
  if (summary.localMachine) {
    const m = summary.localMachine;
    lines.push('', `  local machine: ${m.hostname}, ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}`);
    lines.push(`  GPUs: ${m.gpus.length > 0 ? m.gpus.join('; ') : 'none (the local pool offers one `cpu` device)'}`);
    for (const note of m.notes) lines.push(`  note: ${note}`);
  }
  return lines.join('\n');
}
