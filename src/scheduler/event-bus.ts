import type { EventBus, MarathonEvent } from './contracts.js';

/**
 * In-process fan-out of Marathon events. Listeners run synchronously in publish order; a
 * listener that throws is dropped from nothing and breaks no one else (its error is reported).
 */
export class LocalEventBus implements EventBus {
  readonly #listeners = new Set<(event: MarathonEvent) => void>();
  readonly #onListenerError: (err: unknown, event: MarathonEvent) => void;

  constructor(onListenerError: (err: unknown, event: MarathonEvent) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  publish(event: MarathonEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.#onListenerError(err, event);
      }
    }
  }

  subscribe(listener: (event: MarathonEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
