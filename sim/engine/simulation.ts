import { EventEmitter } from 'eventemitter3';
import { EventQueue, type EventHandle, type EventQueueSnapshot } from './event-queue.ts';
import { Random, type RandomState } from './random.ts';
import type { Micros } from './time.ts';

/** Every simulation event is plain data with a discriminating `type`: data can be journaled, compared and forked. */
export interface SimEvent {
  readonly type: string;
}

/** One handler per event type; the mapped type makes a missing handler a compile error. */
export type Handlers<E extends SimEvent, C> = {
  readonly [K in E['type']]: (event: Extract<E, { type: K }>, context: C) => void;
};

/** What observers can hear. Observers watch; they never change the model (that would break determinism). */
export interface SimulationObservers<E extends SimEvent> {
  /** After the handler of an event ran. */
  processed: (event: E, time: Micros) => void;
  /** The clock moved forward (by an event or by runUntil reaching its bound). */
  advanced: (time: Micros) => void;
}

export interface SimulationOptions {
  seed?: number;
  start?: Micros;
}

/** A simulation's whole state as plain data: clock, counters, random state and the queue as laid out. */
export interface SimulationSnapshot<E extends SimEvent> {
  readonly clock: Micros;
  readonly processed: number;
  readonly random: RandomState;
  readonly queue: EventQueueSnapshot<E>;
}

/** Something the run loop hands every event to: usually the model that owns the simulation. */
export type Dispatcher<E extends SimEvent> = (event: E) => void;

/**
 * The discrete-event engine: a clock, an event queue with a total order, a seeded random generator and a run
 * loop. It knows nothing of clusters or workloads; the model gives it a dispatcher. Its whole state is data,
 * so `fork()` yields an independent copy that can run ahead (what-if) without touching the original.
 */
export class Simulation<E extends SimEvent> {
  readonly observers = new EventEmitter<SimulationObservers<E>>();
  readonly random: Random;
  private queue: EventQueue<E>;
  private clock: Micros;
  private processedCount = 0;
  private dispatcher: Dispatcher<E> | undefined;

  constructor(options: SimulationOptions = {}) {
    this.random = new Random(options.seed ?? 1);
    this.queue = new EventQueue<E>();
    this.clock = options.start ?? 0;
  }

  /** Binds the model's dispatcher (done once by the model that owns this simulation). */
  bind(dispatcher: Dispatcher<E>): this {
    this.dispatcher = dispatcher;
    return this;
  }

  get now(): Micros {
    return this.clock;
  }

  get pendingEvents(): number {
    return this.queue.size;
  }

  get processedEvents(): number {
    return this.processedCount;
  }

  /** Time of the next event, or undefined when nothing is scheduled. */
  nextEventTime(): Micros | undefined {
    return this.queue.peekTime();
  }

  /** Schedules an event at an absolute time; the past is a model bug, so it throws rather than reorder history. */
  at(time: Micros, event: E, priority = 0): EventHandle {
    if (!Number.isSafeInteger(time) || time < this.clock) {
      throw new RangeError(`cannot schedule ${event.type} at ${time}us: the clock is at ${this.clock}us`);
    }
    return this.queue.push(time, event, priority);
  }

  /** Schedules an event `delay` microseconds from now. */
  after(delay: Micros, event: E, priority = 0): EventHandle {
    return this.at(this.clock + (delay > 0 ? Math.round(delay) : 0), event, priority);
  }

  cancel(handle: EventHandle): boolean {
    return this.queue.cancel(handle);
  }

  isScheduled(handle: EventHandle): boolean {
    return this.queue.isScheduled(handle);
  }

  /** Processes the next event. Returns false when there was none. */
  step(): boolean {
    return this.run(1) === 1;
  }

  /** Processes every event up to and including `until`, then leaves the clock at `until`. */
  runUntil(until: Micros): number {
    const ran = this.drain(until, Number.POSITIVE_INFINITY);
    if (until > this.clock) {
      this.clock = until;
      if (this.observers.listenerCount('advanced') > 0) this.observers.emit('advanced', until);
    }
    return ran;
  }

  /** Processes events until none are left (or `maxEvents` ran). Returns how many ran. */
  run(maxEvents = Number.POSITIVE_INFINITY): number {
    return this.drain(Number.POSITIVE_INFINITY, maxEvents);
  }

  /**
   * The run loop: the hottest code in lwsim, so it allocates nothing and skips observers nobody listens to.
   * Observers are looked up when a run starts: one added by a handler hears events from the next run call on.
   */
  private drain(until: Micros, maxEvents: number): number {
    const dispatcher = this.dispatcher;
    if (dispatcher === undefined) throw new Error('simulation has no dispatcher bound: call bind() first');
    const queue = this.queue;
    const observers = this.observers;
    const tellAdvanced = observers.listenerCount('advanced') > 0;
    const tellProcessed = observers.listenerCount('processed') > 0;
    let ran = 0;
    while (ran < maxEvents) {
      const next = queue.peekTime();
      if (next === undefined || next > until) break;
      const event = queue.pop() as E;
      if (next > this.clock) {
        this.clock = next;
        if (tellAdvanced) observers.emit('advanced', next);
      }
      dispatcher(event);
      ran++;
      this.processedCount++;
      if (tellProcessed) observers.emit('processed', event, next);
    }
    return ran;
  }

  /** The pending events in the order they will run (for inspection and tests). */
  pending(): IterableIterator<{ time: Micros; payload: E }> {
    return this.queue.pending();
  }

  randomState(): RandomState {
    return this.random.state();
  }

  /** Plain data from which `restore` builds a simulation that runs exactly as this one would. */
  snapshot(): SimulationSnapshot<E> {
    return {
      clock: this.clock,
      processed: this.processedCount,
      random: this.random.state(),
      queue: this.queue.snapshot(),
    };
  }

  /** A simulation in the state of a snapshot (the dispatcher must be bound, as for a fork). */
  static restore<E extends SimEvent>(s: SimulationSnapshot<E>): Simulation<E> {
    const copy = new Simulation<E>({ start: s.clock });
    copy.random.restore(s.random);
    copy.queue = EventQueue.restore(s.queue);
    copy.processedCount = s.processed;
    return copy;
  }

  /**
   * An independent simulation at the same time with the same pending events and random state. Observers are
   * not copied and the dispatcher must be bound again: the fork belongs to whichever model copy owns it.
   */
  fork(): Simulation<E> {
    const copy = new Simulation<E>({ start: this.clock });
    copy.random.restore(this.random.state());
    copy.queue = this.queue.clone();
    copy.processedCount = this.processedCount;
    return copy;
  }
}

/** Routes each event to the handler for its type. */
export function dispatchTo<E extends SimEvent, C>(handlers: Handlers<E, C>, context: C): Dispatcher<E> {
  const table = handlers as unknown as Record<string, (event: E, context: C) => void>;
  return (event) => {
    const handler = table[event.type];
    if (handler === undefined) throw new Error(`no handler for event type ${event.type}`);
    handler(event, context);
  };
}
