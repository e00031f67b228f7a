import { describe, expect, it } from 'vitest';
import { toSeconds } from '../../sim/engine/index.ts';
import { replay } from '../../sim/scenario/replay.ts';
import type { LocalMachine } from '../../src/hardware/index.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';

/** A fixed machine for the `local` pool, so the golden files do not depend on where the tests run. */
const MACHINE: LocalMachine = {
  hostname: 'golden',
  cpu: { manufacturer: 'lwsim', brand: 'golden', cores: 2, physicalCores: 2, speedGHz: 2 },
  memoryBytes: 24 * 2 ** 30,
  os: { platform: 'linux', distro: 'golden', release: '1', arch: 'x64', kernel: '1' },
  gpus: [],
  warnings: [],
};

/**
 * The behaviour pin: the deterministic report of the shipped scenarios and every placement and eviction the
 * scheduler made on the way, in order. A change to one placement, one time or one count changes the file.
 * After an intended change of behaviour, `npx vitest run test/golden -u` writes them anew (review the diff).
 */
describe.each(['demo', 'default'])('the %s scenario', (name) => {
  it('replays to its golden report and placements', async () => {
    const loaded = await loadScenarioFile(`scenarios/${name}.yaml`, { machine: MACHINE });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const placements: string[] = [];
    const { report } = replay(loaded.scenario, {
      observe: (cluster) => {
        const nodes = cluster.scheduler.cluster.layout.nodes;
        const who = (gangId: string) => {
          const [id, index] = gangId.split('/');
          return `${cluster.workload(id!)?.name ?? id}/${index}`;
        };
        cluster.observers.on('scheduling-cycle', (cycle) => {
          const t = toSeconds(cycle.now);
          for (const e of cycle.evictions) placements.push(`${t} ${e.action} ${who(e.victim.spec.id)} by ${who(e.preemptor.spec.id)}`);
          for (const gang of cycle.placed) {
            const pods = gang.bindings.map((b) => `${nodes[b.node]!.name}[${b.gpus.join(',')}]x${b.unitsPerGpu}`);
            placements.push(`${t} place ${who(gang.spec.id)} ${pods.join(' ')}`);
          }
        });
      },
    });
    await expect(`${JSON.stringify(report, null, 1)}\n`).toMatchFileSnapshot(`./${name}.report.json`);
    await expect(`${placements.join('\n')}\n`).toMatchFileSnapshot(`./${name}.placements.txt`);
  });
});
