import type { TaskStatus } from '../../../src/mesos/types.js';
import type { AgentStatusSink } from '../../../src/local/agents/agent.js';

export interface Update {
  readonly frameworkId: string;
  readonly status: TaskStatus;
}

/** Records every status update and lets tests wait, with a bound, for one to arrive. */
export class CollectingSink implements AgentStatusSink {
  readonly updates: Update[] = [];
  private waiters: Array<() => void> = [];

  statusUpdate(frameworkId: string, status: TaskStatus): void {
    this.updates.push({ frameworkId, status });
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  of(taskId: string): TaskStatus[] {
    return this.updates.filter((u) => u.status.task_id.value === taskId).map((u) => u.status);
  }

  states(taskId: string): string[] {
    return this.of(taskId).map((s) => s.state);
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(
          `timed out waiting for ${what}; updates: ${JSON.stringify(this.updates.map((u) => [u.status.task_id.value, u.status.state, u.status.healthy, u.status.message]))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until the task has a status in `state` and returns it. */
  async waitForState(taskId: string, state: string, timeoutMs = 10_000): Promise<TaskStatus> {
    await this.waitFor(() => this.of(taskId).some((s) => s.state === state), timeoutMs, `${taskId} ${state}`);
    return this.of(taskId).find((s) => s.state === state)!;
  }
}

export { isAlive } from '../../helpers/processes.js';
