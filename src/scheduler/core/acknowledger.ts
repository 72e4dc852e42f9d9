/**
 * ACKNOWLEDGE calls for status updates that are already persisted. Calls run concurrently, at
 * most `maxInFlight` at a time (one HTTP request each: the v1 API has no batched ACK), so a
 * batch of a thousand updates neither opens a thousand sockets nor waits for one round trip
 * after another.
 *
 * More in flight does not make them faster when the CPU is the limit: at 10,000 tasks, 64 in
 * flight reached TASK_RUNNING about 17% sooner than 256 (the ACKs take CPU from the launch), and
 * at 100,000 tasks 512 in flight (pipelined) still left over 100,000 waiting at the end of the
 * launch. How long the oldest has waited (`oldestWaitingMs`) is what the launch flow control
 * (LaunchFlow) watches instead.
 *
 * A failed ACK is only logged: the agent resends the update, and the store already holds what it
 * says, so processing it again changes nothing. Each waiting ACK is three strings and a time, not
 * the update it answers, and an update the master resends while its ACK still waits joins that
 * ACK instead of queueing a second call.
 */
import type { Logger } from 'pino';
import type { TaskStatus } from '../../mesos/types.js';
import { Fifo } from '../fifo.js';
import type { DriverPort } from './driver-port.js';

export interface AcknowledgerOptions {
  driver: () => DriverPort | undefined;
  logger: Logger;
  /** Default DEFAULT_MAX_ACKS_IN_FLIGHT. */
  maxInFlight?: number;
  /** Milliseconds, for the age of waiting ACKs. Default performance.now. */
  clock?: () => number;
}

export const DEFAULT_MAX_ACKS_IN_FLIGHT = 64;

interface PendingAck {
  readonly key: string;
  readonly agentId: string;
  readonly taskId: string;
  readonly uuid: string;
  readonly queuedAt: number;
  /** One per batch waiting for this ACK. */
  readonly answered: Array<() => void>;
}

export class Acknowledger {
  readonly #opts: AcknowledgerOptions;
  readonly #maxInFlight: number;
  readonly #clock: () => number;
  readonly #queue = new Fifo<PendingAck>();
  #inFlight = 0;
  /** Queued or in flight, by `taskId\0uuid`. */
  readonly #pending = new Map<string, PendingAck>();

  constructor(opts: AcknowledgerOptions) {
    this.#opts = opts;
    this.#maxInFlight = Math.max(1, Math.floor(opts.maxInFlight ?? DEFAULT_MAX_ACKS_IN_FLIGHT));
    this.#clock = opts.clock ?? (() => performance.now());
  }

  /** ACKs queued or in flight. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Acknowledges every update that carries a uuid; resolves when all were answered or failed. Never rejects. */
  send(statuses: readonly TaskStatus[]): Promise<void> {
    const joined = new Set<PendingAck>();
    let now: number | undefined;
    for (const status of statuses) {
      if (status.uuid === undefined) continue;
      const taskId = status.task_id.value;
      const key = `${taskId}\u0000${status.uuid}`;
      let ack = this.#pending.get(key);
      if (ack === undefined) {
        if (status.agent_id === undefined) {
          this.#opts.logger.warn({ taskId }, 'cannot acknowledge an update without agent id');
          continue;
        }
        now ??= this.#clock();
        ack = { key, agentId: status.agent_id.value, taskId, uuid: status.uuid, queuedAt: now, answered: [] };
        this.#pending.set(key, ack);
        this.#queue.push(ack);
      }
      joined.add(ack);
    }
    if (joined.size === 0) return Promise.resolve();
    const answered = new Promise<void>((resolve) => {
      let left = joined.size;
      const one = (): void => {
        if (--left === 0) resolve();
      };
      for (const ack of joined) ack.answered.push(one);
    });
    this.#pump();
    return answered;
  }

  /** How long the oldest ACK not yet sent has waited; 0 when none waits. */
  get oldestWaitingMs(): number {
    const oldest = this.#queue.peek();
    return oldest === undefined ? 0 : this.#clock() - oldest.queuedAt;
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight) {
      const ack = this.#queue.shift();
      if (ack === undefined) return;
      this.#inFlight++;
      void this.#one(ack).finally(() => {
        this.#inFlight--;
        this.#pending.delete(ack.key);
        for (const answered of ack.answered) answered();
        this.#pump();
      });
    }
  }

  async #one(ack: PendingAck): Promise<void> {
    try {
      const driver = this.#opts.driver();
      if (!driver) {
        this.#opts.logger.warn({ taskId: ack.taskId, agentId: ack.agentId }, 'cannot acknowledge an update without a driver');
        return;
      }
      if (driver.state === 'stopped') {
        this.#dropQueued();
        return;
      }
      await driver.acknowledge({ value: ack.agentId }, { value: ack.taskId }, ack.uuid);
    } catch (err) {
      if (this.#opts.driver()?.state === 'stopped') {
        this.#dropQueued();
        return;
      }
      this.#opts.logger.warn({ err, taskId: ack.taskId, agentId: ack.agentId }, 'ACKNOWLEDGE failed; the agent will resend');
    }
  }

  /** The driver stopped (shutdown, lost leadership): one line for the queue and the ACK in hand, not a warning per ACK. */
  #dropQueued(): void {
    const dropped = this.#queue.drain();
    this.#opts.logger.info(
      { acks: dropped.length + 1 },
      'scheduler driver stopped: waiting ACKs dropped; the agents resend those updates to the next subscriber',
    );
    for (const ack of dropped) {
      this.#pending.delete(ack.key);
      for (const answered of ack.answered) answered();
    }
  }
}
