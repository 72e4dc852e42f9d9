import type { Logger } from 'pino';
import type { Store } from '../state/store.js';
import type { EventBus, MarathonEvent, Timestamp } from './contracts.js';

/** Marathon's `lastTaskFailure`: the latest task of an app that ended badly. */
export interface TaskFailure {
  appId: string;
  host: string;
  message: string;
  state: string;
  taskId: string;
  timestamp: Timestamp;
  version: Timestamp;
  slaveId?: string;
}

/** States Marathon records as failures (a kill is not one). */
const FAILURE_STATES: ReadonlySet<string> = new Set(['TASK_FAILED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE']);

/**
 * Remembers the last failure per app from status_update_events and keeps it in the store's
 * `taskFailures` collection, so it survives restarts as Marathon's repository does. Writes are
 * best effort: losing one means showing an older failure, never a wrong app state.
 */
export class TaskFailureRepository {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #byApp = new Map<string, TaskFailure>();
  #unsubscribe: (() => void) | undefined;

  constructor(store: Store, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  async load(): Promise<void> {
    for (const { key, value } of await this.#store.list<TaskFailure>('taskFailures')) this.#byApp.set(key, value);
  }

  attach(events: EventBus): void {
    this.#unsubscribe = events.subscribe((event) => this.#observe(event));
  }

  detach(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  lastTaskFailure(appId: string): TaskFailure | undefined {
    return this.#byApp.get(appId);
  }

  #observe(event: MarathonEvent): void {
    if (event.eventType === 'app_terminated_event' && typeof event.appId === 'string') {
      this.#byApp.delete(event.appId);
      this.#write({ op: 'delete', collection: 'taskFailures', key: event.appId });
      return;
    }
    if (event.eventType !== 'status_update_event' || !FAILURE_STATES.has(String(event.taskStatus))) return;
    const failure: TaskFailure = {
      appId: String(event.appId),
      host: typeof event.host === 'string' ? event.host : '',
      message: typeof event.message === 'string' ? event.message : '',
      state: String(event.taskStatus),
      taskId: String(event.taskId),
      timestamp: event.timestamp,
      version: typeof event.version === 'string' ? event.version : '',
      ...(typeof event.slaveId === 'string' ? { slaveId: event.slaveId } : {}),
    };
    this.#byApp.set(failure.appId, failure);
    this.#write({ op: 'put', collection: 'taskFailures', key: failure.appId, value: failure });
  }

  #write(write: Parameters<Store['apply']>[0][number]): void {
    this.#store.apply([write]).catch((err: unknown) => {
      this.#logger.warn({ err, appId: write.key }, 'could not store the last task failure');
    });
  }
}
