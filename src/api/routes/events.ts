// GET /sim/v1/events: Server-Sent Events of what the simulation does. One feed listens to the model for every
// subscriber and serializes each event once; each subscriber hears the projects it may use, and one that stops
// reading has its events dropped past a bounded buffer (then is told how many) instead of holding the server's
// memory.
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { WorkloadState } from '../../../sim/workloads/state.ts';
import { canUseProject, principalOf, type Principal } from '../auth.ts';
import type { ApiContext } from '../context.ts';

/** Bytes of events a subscriber may have unread before its events are dropped. */
export const MAX_SUBSCRIBER_BUFFER = 256 << 10;

interface Subscriber {
  readonly principal: Principal;
  readonly raw: ServerResponse;
  /** Events dropped since its buffer filled; 0 while it keeps up. */
  dropped: number;
}

export function eventRoutes(app: FastifyInstance, ctx: ApiContext, clock: () => unknown): void {
  const feed = new EventFeed(ctx);
  app.get('/sim/v1/events', (request, reply) => {
    const principal = principalOf(request);
    const first = frame('clock', clock());
    // The stream is written by hand, so fastify must not answer this request itself.
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    // HEAD (which fastify routes here) asks for the headers alone: subscribing would hold it open forever.
    if (request.method === 'HEAD') return void reply.raw.end();
    reply.raw.write(first);
    feed.add({ principal, raw: reply.raw, dropped: 0 });
  });
}

class EventFeed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly listeners = {
    created: (w: WorkloadState): void => this.publish(w.project, frame('workload-created', this.workload(w))),
    phase: (w: WorkloadState, previous: string): void =>
      this.publish(w.project, frame('workload-phase', { ...this.workload(w), previous })),
    deleted: (w: WorkloadState): void => this.publish(w.project, frame('workload-deleted', this.workload(w))),
    node: (node: string, ready: boolean): void =>
      this.publish(null, frame('node', { node, ready, at: this.ctx.clock.iso(this.ctx.live.model.now) })),
  };

  constructor(private readonly ctx: ApiContext) {}

  add(subscriber: Subscriber): void {
    if (this.subscribers.size === 0) this.listen(true);
    this.subscribers.add(subscriber);
    const heartbeat = setInterval(() => void subscriber.raw.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    subscriber.raw.on('close', () => {
      clearInterval(heartbeat);
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.listen(false);
    });
  }

  /** Listens to the model only while someone is subscribed. */
  private listen(on: boolean): void {
    const observers = this.ctx.live.model.observers;
    const { created, phase, deleted, node } = this.listeners;
    if (on)
      observers
        .on('workload-created', created)
        .on('workload-phase', phase)
        .on('workload-deleted', deleted)
        .on('node-ready', node);
    else
      observers
        .off('workload-created', created)
        .off('workload-phase', phase)
        .off('workload-deleted', deleted)
        .off('node-ready', node);
  }

  private workload(w: Readonly<WorkloadState>) {
    return {
      workloadId: w.id,
      name: w.name,
      project: w.project,
      phase: w.phase,
      phaseMessage: w.phaseMessage,
      at: this.ctx.clock.iso(this.ctx.live.model.now),
    };
  }

  /** Sends a frame to every subscriber that may see `project` (null: anyone). */
  private publish(project: string | null, text: string): void {
    for (const subscriber of this.subscribers)
      if (project === null || canUseProject(subscriber.principal, project)) send(subscriber, text);
  }
}

function send(subscriber: Subscriber, text: string): void {
  const { raw } = subscriber;
  if (subscriber.dropped > 0 || raw.writableLength > MAX_SUBSCRIBER_BUFFER) {
    if (subscriber.dropped++ === 0)
      raw.once('drain', () => {
        raw.write(frame('dropped', { dropped: subscriber.dropped }));
        subscriber.dropped = 0;
      });
    return;
  }
  raw.write(text);
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
