// kill -9 under concurrent creates, patches and deletes, round after round: after each restart every
// acknowledged change is there, and no id names a workload other than the one it named when it was shown.
import { call, creation, DI, startServer, type ServerProcess } from './server-process.ts';

export interface KillRoundsResult {
  readonly rounds: number;
  readonly acknowledged: number;
  readonly lost: number;
  readonly reassigned: number;
  readonly fiveHundreds: number;
  readonly problems: readonly string[];
}

interface Known {
  name: string;
  /** The replicas of the last acknowledged create or patch; undefined while a change of it is unacknowledged. */
  replicas: number | undefined;
  state: 'live' | 'deleted' | 'uncertain';
}

/** The workloads not deleted as the server lists them: id -> [name, replicas, phase]. */
export async function listWorkloads(url: string): Promise<Map<string, [string, number, string]>> {
  const found = new Map<string, [string, number, string]>();
  for (let offset = 0; ; offset += 500) {
    const page = await call(url, 'GET', `/api/v1/workloads?limit=500&offset=${offset}`);
    if (page.status !== 200) throw new Error(`listing answered ${page.status}`);
    const workloads = page.body.workloads as { id: string; name: string; phase: string }[];
    for (const w of workloads) found.set(w.id, [w.name, -1, w.phase]);
    if (workloads.length < 500) break;
  }
  // Replicas from the distributed-inference view (the list shows pods, not replicas).
  await Promise.all(
    [...found.keys()].map(async (id) => {
      const got = await call(url, 'GET', `${DI}/${id}`);
      const [name, , phase] = found.get(id)!;
      if (got.status === 200) found.set(id, [name, got.body.spec.replicas as number, phase]);
    }),
  );
  return found;
}

/** `serverArgs`: passed to every start (a small `--compact-after` puts kills in the middle of compactions). */
export async function killRounds(
  dir: string,
  rounds: number,
  clients: number,
  serverArgs: readonly string[] = [],
): Promise<KillRoundsResult & { readonly compactions: number }> {
  const known = new Map<string, Known>();
  const problems: string[] = [];
  let acknowledged = 0;
  let lost = 0;
  let reassigned = 0;
  let fiveHundreds = 0;
  let compactions = 0;
  let server: ServerProcess = await startServer(dir, serverArgs);
  for (let round = 0; round < rounds; round++) {
    let running = true;
    const client = async (c: number): Promise<void> => {
      for (let n = 0; running; n++) {
        const live = [...known].filter(([, k]) => k.state === 'live');
        const pick = live.length > 0 ? live[(n * 7919 + c * 104729) % live.length]! : undefined;
        const roll = (n * 31 + c * 17 + round) % 10;
        try {
          if (pick === undefined || roll < 6) {
            const replicas = roll % 2;
            const r = await call(server.url, 'POST', DI, creation(`r${round}-c${c}-${n}`, replicas));
            if (r.status >= 500) fiveHundreds++;
            if (r.status === 202) {
              acknowledged++;
              known.set(r.body.workloadId, { name: r.body.name ?? `r${round}-c${c}-${n}`, replicas, state: 'live' });
            }
          } else if (roll < 8) {
            const [id, k] = pick;
            const replicas = (n + c) % 3;
            k.replicas = undefined;
            const r = await call(server.url, 'PATCH', `${DI}/${id}`, { spec: { replicas } });
            if (r.status >= 500) fiveHundreds++;
            if (r.status < 300) {
              acknowledged++;
              k.replicas = replicas;
            }
          } else {
            const [id, k] = pick;
            k.state = 'uncertain';
            const r = await call(server.url, 'DELETE', `${DI}/${id}`);
            if (r.status >= 500) fiveHundreds++;
            if (r.status < 300) {
              acknowledged++;
              k.state = 'deleted';
            }
          }
        } catch {
          return; // the server was killed under this request
        }
      }
    };
    const work = Array.from({ length: clients }, (_, c) => client(c));
    await new Promise((resolve) => setTimeout(resolve, 150 + ((round * 137) % 400)));
    await server.kill();
    compactions += (server.output().match(/journal: compacted into/g) ?? []).length;
    running = false;
    await Promise.all(work);
    server = await startServer(dir, serverArgs);
    const listed = await listWorkloads(server.url);
    for (const [id, [name]] of listed) {
      const k = known.get(id);
      if (k !== undefined && k.name !== name) {
        reassigned++;
        problems.push(`round ${round}: id ${id} named ${k.name}, now ${name}`);
      }
    }
    for (const [id, k] of known) {
      // A deletion acknowledged is one in progress (Deleting) or done (gone from the list).
      const listedNow = listed.get(id);
      const now = listedNow?.[2] === 'Deleting' ? undefined : listedNow;
      if (k.state === 'live' && now === undefined) {
        lost++;
        problems.push(`round ${round}: acknowledged ${k.name} (${id}) is gone`);
      } else if (k.state === 'deleted' && now !== undefined) {
        lost++;
        problems.push(`round ${round}: acknowledged delete of ${k.name} (${id}) undone`);
      } else if (k.state === 'live' && k.replicas !== undefined && now![1] !== k.replicas) {
        lost++;
        problems.push(`round ${round}: ${k.name} has ${now![1]} replicas, acknowledged ${k.replicas}`);
      }
      // What was in flight at the kill is whatever the restarted server says.
      if (k.state === 'uncertain') k.state = now === undefined ? 'deleted' : 'live';
      if (now !== undefined) k.replicas = now[1];
    }
    // Creations journaled but not acknowledged before the kill are workloads like any other from now on.
    for (const [id, [name, replicas, phase]] of listed)
      if (!known.has(id) && phase !== 'Deleting') known.set(id, { name, replicas, state: 'live' });
  }
  await server.stop();
  return { rounds, acknowledged, lost, reassigned, fiveHundreds, problems, compactions };
}
