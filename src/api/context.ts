import type { LiveCluster } from '../runtime/live-cluster.ts';
import type { Organisation } from '../runai/organisation.ts';
import { ClockFormat } from './presenters/clock-format.ts';
import type { PresentContext } from './presenters/workload.ts';

/** What every route of the server shares: the live cluster and how to speak about it. */
export class ApiContext {
  readonly clock: ClockFormat;
  /** Serialized bodies by key, valid while the model's revision stays the same. */
  private readonly cache = new Map<string, { revision: number; json: string }>();
  private presenting: PresentContext | undefined;
  // Made once: under tsx (esbuild keepNames) every named closure costs a defineProperty each time it is made.
  private readonly pendingReason: PresentContext['pendingReason'] = (group) => this.live.model.pendingReason(group);
  private readonly servingUrl: PresentContext['servingUrl'] = (w) => `${this.origin()}/serving/${w.id}`;

  constructor(
    readonly live: LiveCluster,
    /** The server's own origin, e.g. http://127.0.0.1:8080, for the URLs it hands out. */
    readonly origin: () => string,
  ) {
    this.clock = new ClockFormat(live.epochMs);
  }

  /**
   * A JSON body computed once per model revision: between events nothing a GET returns can change, and clients
   * poll (watching phases) far more often than the simulation changes.
   */
  cachedJson(key: string, compute: () => unknown): string {
    // The caller has just synced (it looked the workload up); the revision is current.
    const revision = this.live.model.revision;
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.revision === revision) return hit.json;
    const json = JSON.stringify(compute());
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { revision, json });
    return json;
  }

  get organisation(): Organisation {
    return this.live.organisation;
  }

  get clusterId(): string {
    return this.live.model.spec.id;
  }

  /** Presenting context, with the model brought up to the clock first. */
  present(): PresentContext {
    const model = this.live.sync();
    // One context per simulated instant: only `now` in it changes.
    if (this.presenting?.now === model.now) return this.presenting;
    return (this.presenting = {
      clusterId: this.clusterId,
      organisation: this.organisation,
      clock: this.clock,
      now: model.now,
      pendingReason: this.pendingReason,
      servingUrl: this.servingUrl,
    });
  }
}
