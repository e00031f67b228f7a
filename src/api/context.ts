import type { LiveCluster } from '../runtime/live-cluster.ts';
import type { Organisation } from './organisation.ts';
import { ClockFormat } from './presenters/clock-format.ts';
import type { PresentContext } from './presenters/workload.ts';

/** What every route of the server shares: the live cluster and how to speak about it. */
export class ApiContext {
  readonly clock: ClockFormat;

  constructor(
    readonly live: LiveCluster,
    readonly organisation: Organisation,
    /** The server's own origin, e.g. http://127.0.0.1:8080, for the URLs it hands out. */
    readonly origin: () => string,
  ) {
    this.clock = new ClockFormat(live.epochMs);
  }

  get clusterId(): string {
    return this.live.model.spec.id;
  }

  /** Presenting context, with the model brought up to the clock first. */
  present(): PresentContext {
    const model = this.live.sync();
    return {
      clusterId: this.clusterId,
      organisation: this.organisation,
      clock: this.clock,
      now: model.now,
      pendingReason: (group) => model.pendingReason(group),
      servingUrl: (w) => `${this.origin()}/serving/${w.id}`,
    };
  }
}
