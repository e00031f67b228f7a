import { EventEmitter } from 'eventemitter3';
import { EventQueue, type EventHandle } from './event-queue.ts';
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
    return this.at(this.clock + Math.max(0, Math.round(delay)), event, priority);
  }

  cancel(handle: EventHandle): boolean {
    return this.queue.cancel(handle);
  }

  isScheduled(handle: EventHandle): boolean {
    return this.queue.isScheduled(handle);
  }

  /** Processes the next event. Returns false when there was none. */
  step(): boolean {
    this.requireDispatcher();
    const time = this.queue.peekTime();
    if (time === undefined) return false;
    const event = this.queue.pop() as E;
    this.process(time, event);
    return true;
  }

  /** Processes every event up to and including `until`, then leaves the clock at `until`. */
  runUntil(until: Micros): number {
    this.requireDispatcher();
    const before = this.processedCount;
    for (let time = this.queue.peekTime(); time !== undefined && time <= until; time = this.queue.peekTime()) {
      this.process(time, this.queue.pop() as E);
    }
    if (until > this.clock) {
      this.clock = until;
      this.observers.emit('advanced', until);
    }
    return this.processedCount - before;
  }

  /** Processes events until none are left (or `maxEvents` ran). Returns how many ran. */
  run(maxEvents = Number.POSITIVE_INFINITY): number {
    const before = this.processedCount;
    while (this.processedCount - before < maxEvents && this.step());
    return this.processedCount - before;
  }

  /** The pending events in the order they will run (for inspection and tests). */
  pending(): IterableIterator<{ time: Micros; payload: E }> {
    return this.queue.pending();
  }

  randomState(): RandomState {
    return this.random.state();
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

  private requireDispatcher(): void {
    if (this.dispatcher === undefined) throw new Error('simulation has no dispatcher bound: call bind() first');
  }

  private process(time: Micros, event: E): void {
    if (time > this.clock) {
      this.clock = time;
      this.observers.emit('advanced', time);
    }
    this.dispatcher!(event);
    this.processedCount++;
    this.observers.emit('processed', event, time);
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
