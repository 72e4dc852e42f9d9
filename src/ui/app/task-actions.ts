/// <reference lib="dom" />
/**
 * Selecting tasks on the app page and acting on them, as Marathon's UI did: "Kill" (the app
 * replaces them), "Kill and scale" (the app's instance count drops by as many) and, for apps with
 * persistent volumes only, "Kill and wipe" (the instances and their reservations are forgotten).
 * Each asks first and reports what the server started.
 */
import { announce, withForceRetry } from './actions.js';
import type { MarathonClient, Mutation } from './api.js';
import { fill } from './cells.js';
import { confirmAction, notify } from './dialogs.js';
import { h, setAttr, setText } from './dom.js';
import type { AppInfo, Task } from './marathon-types.js';
import { describeError } from './store.js';

export type TaskKillMode = 'kill' | 'scale' | 'wipe';

export interface TaskActionHooks {
  /** After a kill was accepted: refresh what the page shows. */
  onDone(): void;
  requestRender(): void;
}

/** Whether "Kill and wipe" means anything here: the app reserves resources (Marathon's resident apps). */
export function offersWipe(app: AppInfo | undefined, tasks: readonly Task[]): boolean {
  return (app !== undefined && app.residency != null) || tasks.some((t) => (t.localVolumes ?? []).length > 0);
}

export class TaskSelection {
  readonly toolbar: HTMLDivElement;
  private readonly selected = new Set<string>();
  private readonly selectAll: HTMLInputElement;
  private readonly count: HTMLSpanElement;
  private readonly buttons: Record<TaskKillMode, HTMLButtonElement>;
  private app: AppInfo | undefined;
  private tasks: readonly Task[] = [];
  private busy = false;

  constructor(
    private readonly api: MarathonClient,
    private readonly hooks: TaskActionHooks,
  ) {
    this.selectAll = h('input', { type: 'checkbox', id: 'select-all-tasks', class: 'task-select-all' });
    this.selectAll.addEventListener('change', () => {
      if (this.selectAll.checked) for (const t of this.tasks) this.selected.add(t.id);
      else this.selected.clear();
      this.update();
      hooks.requestRender();
    });
    this.count = h('span', { class: 'task-selected-count muted', 'aria-live': 'polite' });
    this.buttons = {
      kill: h('button', { type: 'button', class: 'btn danger', 'data-kill': 'kill' }, 'Kill'),
      scale: h('button', { type: 'button', class: 'btn danger', 'data-kill': 'scale' }, 'Kill and scale'),
      wipe: h('button', { type: 'button', class: 'btn danger', 'data-kill': 'wipe', hidden: true }, 'Kill and wipe'),
    };
    for (const [mode, button] of Object.entries(this.buttons) as Array<[TaskKillMode, HTMLButtonElement]>) {
      button.addEventListener('click', () => void this.kill(mode));
    }
    this.toolbar = h(
      'div',
      { class: 'task-toolbar', role: 'toolbar', 'aria-label': 'Task actions' },
      h('label', { class: 'task-select-all-label', for: 'select-all-tasks' }, this.selectAll, ' Select all'),
      this.count,
      this.buttons.kill,
      this.buttons.scale,
      this.buttons.wipe,
    );
  }

  /** The tasks now on the page; selections of tasks that are gone are dropped. */
  setTasks(app: AppInfo, tasks: readonly Task[]): void {
    this.app = app;
    this.tasks = tasks;
    const present = new Set(tasks.map((t) => t.id));
    for (const id of this.selected) if (!present.has(id)) this.selected.delete(id);
    this.update();
  }

  /** Renders the row's checkbox (built once per row, its state set on every render). */
  renderCell(cell: HTMLTableCellElement, task: Task): void {
    fill(cell, task.id, () =>
      h('input', { type: 'checkbox', class: 'task-select', 'data-task-id': task.id, 'aria-label': `Select task ${task.id}`, title: 'Select this task' }),
    );
    const box = cell.firstElementChild;
    if (box instanceof HTMLInputElement && box.checked !== this.selected.has(task.id)) box.checked = this.selected.has(task.id);
  }

  /** One delegated listener on the table for every row's checkbox. */
  listenTo(table: HTMLElement): void {
    table.addEventListener('change', (e) => {
      const box = e.target;
      if (!(box instanceof HTMLInputElement) || !box.classList.contains('task-select')) return;
      const id = box.dataset.taskId;
      if (id === undefined) return;
      if (box.checked) this.selected.add(id);
      else this.selected.delete(id);
      this.update();
    });
  }

  private update(): void {
    const n = this.selected.size;
    const total = this.tasks.length;
    this.toolbar.hidden = total === 0;
    this.selectAll.checked = total > 0 && n === total;
    this.selectAll.indeterminate = n > 0 && n < total;
    this.selectAll.disabled = total === 0;
    setText(this.count, n === 0 ? 'No task selected' : `${n} of ${total} selected`);
    for (const button of Object.values(this.buttons)) {
      button.disabled = this.busy || n === 0;
      setAttr(button, 'aria-busy', this.busy ? 'true' : null);
    }
    const selectedTasks = this.tasks.filter((t) => this.selected.has(t.id));
    this.buttons.wipe.hidden = !offersWipe(this.app, selectedTasks.length > 0 ? selectedTasks : this.tasks);
  }

  private async kill(mode: TaskKillMode): Promise<void> {
    const app = this.app;
    const ids = this.tasks.filter((t) => this.selected.has(t.id)).map((t) => t.id);
    if (app === undefined || ids.length === 0) return;
    const n = ids.length;
    const tasksWord = n === 1 ? 'task' : 'tasks';
    const instances = app.instances ?? 0;
    const ok = await confirmAction(confirmText(mode, app.id, n, instances));
    if (!ok) return;
    this.busy = true;
    this.update();
    try {
      let result: Mutation<unknown> | undefined;
      if (mode === 'scale') {
        result = await withForceRetry(
          (o) => this.api.killTasks(ids, { ...o, scale: true }),
          `Killing ${n} ${tasksWord} of ${app.id} and scaling to ${Math.max(0, instances - n)}`,
        );
      } else {
        try {
          const done = await this.api.killTasks(ids, { wipe: mode === 'wipe' });
          const what = mode === 'wipe' ? `Killed and wiped ${n} ${tasksWord} of ${app.id}` : `Killed ${n} ${tasksWord} of ${app.id}`;
          if (done.deploymentId !== undefined) result = announce(done, what);
          else {
            notify('ok', `${what}; the app launches ${n === 1 ? 'a replacement' : 'replacements'}.`);
            result = done;
          }
        } catch (err) {
          notify('error', `Killing ${n} ${tasksWord} of ${app.id} failed: ${describeError(err)}`);
        }
      }
      if (result !== undefined) {
        for (const id of ids) this.selected.delete(id);
        this.hooks.onDone();
      }
    } finally {
      this.busy = false;
      this.update();
      this.hooks.requestRender();
    }
  }
}

function confirmText(mode: TaskKillMode, appId: string, n: number, instances: number): Parameters<typeof confirmAction>[0] {
  const these = n === 1 ? 'this task' : `these ${n} tasks`;
  switch (mode) {
    case 'kill':
      return {
        title: `Kill ${n} ${n === 1 ? 'task' : 'tasks'} of ${appId}?`,
        body: [h('p', null, `The app launches a new task for each one killed: it keeps ${instances} ${instances === 1 ? 'instance' : 'instances'}.`)],
        confirmLabel: 'Kill',
        danger: true,
      };
    case 'scale':
      return {
        title: `Kill ${n} ${n === 1 ? 'task' : 'tasks'} and scale ${appId} down?`,
        body: [
          h(
            'p',
            null,
            'No replacement is launched: the app’s instance count goes from ',
            h('strong', null, String(instances)),
            ' to ',
            h('strong', null, String(Math.max(0, instances - n))),
            ', in a deployment.',
          ),
        ],
        confirmLabel: 'Kill and scale',
        danger: true,
      };
    case 'wipe':
      return {
        title: `Kill and wipe ${n} ${n === 1 ? 'task' : 'tasks'} of ${appId}?`,
        body: [
          h(
            'p',
            null,
            `Kill ${these} and forget ${n === 1 ? 'its instance' : 'their instances'}: the resources reserved for ${n === 1 ? 'it' : 'them'} are unreserved.`,
          ),
          h(
            'p',
            null,
            h('strong', null, 'The data on their persistent volumes is destroyed.'),
            ` The app launches new instances, with new empty volumes, to keep ${instances}.`,
          ),
        ],
        confirmLabel: 'Kill and wipe',
        danger: true,
      };
  }
}
