/**
 * The host ports each app's last failed task held. A task that failed because its port was
 * taken by something outside Mesos (`Address already in use`) would fail again on the same
 * port; the offer path hands these to the matcher, which picks dynamic ports elsewhere.
 * Kept in memory only: after a restart the ports are random again anyway.
 */
import type { Condition } from '../contracts.js';

/** Conditions after which the task's ports are suspect; kills and clean exits are not. */
const FAILURES: ReadonlySet<Condition> = new Set<Condition>(['Failed', 'Error']);

export class FailedPorts {
  readonly #byApp = new Map<string, readonly number[]>();

  /** Called for every task update of an app's instance. */
  note(appId: string, condition: Condition, hostPorts: readonly number[]): void {
    if (FAILURES.has(condition)) {
      if (hostPorts.length > 0) this.#byApp.set(appId, [...hostPorts]);
    } else if (condition === 'Running') {
      // A task of the app runs again: what failed before is no longer news.
      this.#byApp.delete(appId);
    }
  }

  of(appId: string): readonly number[] | undefined {
    return this.#byApp.get(appId);
  }

  forget(appId: string): void {
    this.#byApp.delete(appId);
  }
}
