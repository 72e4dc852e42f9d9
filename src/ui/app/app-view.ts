/// <reference lib="dom" />
/** One app: actions, why it is waiting, its tasks, its versions and their diff. */
import type { AppAction } from './actions.js';
import type { MarathonClient } from './api.js';
import { fill, healthSummary, progressText, statusBadge } from './cells.js';
import { editHref, h, replaceChildren, setText } from './dom.js';
import { ago, formatCpus, formatMem } from './format.js';
import type { ServerInfo, Task } from './marathon-types.js';
import { healthCounts, taskHealth } from './status.js';
import type { Store } from './store.js';
import { copyTaskIdButton, readableTaskId } from './task-id.js';
import { TaskSelection } from './task-actions.js';
import { taskLogsHref } from './task-logs-view.js';
import { VersionsPanel } from './versions-panel.js';
import { VirtualTable } from './virtual-table.js';
import { delayLeft, waitingPanel } from './waiting-panel.js';
import { breadcrumbOf, groupHref, parentGroupOf } from './group-tree.js';

export interface AppViewHooks {
  onAction(action: AppAction): void;
  requestRender(): void;
}

export class AppView {
  readonly element: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly badge: HTMLSpanElement;
  private readonly facts: HTMLParagraphElement;
  private readonly editLink: HTMLAnchorElement;
  private readonly notice: HTMLDivElement;
  private readonly waiting: HTMLDivElement;
  private readonly failure: HTMLDivElement;
  private readonly tasksHeading: HTMLHeadingElement;
  private readonly tasks: VirtualTable<Task>;
  private readonly selection: TaskSelection;
  private readonly versions: VersionsPanel;
  private readonly config: HTMLPreElement;
  private readonly body: HTMLDivElement;
  private waitingSignature = '';
  /** The failed task's stderr tail, by task id: fetched once per failure (undefined while loading, null if none). */
  private readonly failureStderr = new Map<string, string | null | undefined>();
  private now = Date.now();
  /** Applications / each group of the app, linking to the group's page. */
  private readonly crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' });

  constructor(
    private readonly store: Store,
    private readonly api: MarathonClient,
    private readonly hooks: AppViewHooks,
  ) {
    this.title = h('h1', { id: 'app-title' });
    this.badge = h('span');
    this.facts = h('p', { class: 'app-facts' });
    this.editLink = h('a', { class: 'btn', href: '#/' }, 'Edit');
    const actions = h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'App actions' },
      h('button', { type: 'button', class: 'btn', 'data-action': 'scale' }, 'Scale'),
      h('button', { type: 'button', class: 'btn', 'data-action': 'restart' }, 'Restart'),
      this.editLink,
      h('button', { type: 'button', class: 'btn danger', 'data-action': 'destroy' }, 'Destroy'),
    );
    actions.addEventListener('click', (e) => {
      const button = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
      if (button !== null) hooks.onAction(button.dataset.action as AppAction);
    });
    this.notice = h('div', { class: 'problem', role: 'alert', hidden: true });
    this.waiting = h('div');
    this.failure = h('div');
    this.tasksHeading = h('h2', { id: 'tasks-title' }, 'Tasks');
    this.selection = new TaskSelection(api, { onDone: () => void store.refreshNow(), requestRender: () => hooks.requestRender() });
    this.tasks = new VirtualTable<Task>({
      label: 'Tasks',
      rowHeight: 40,
      emptyText: 'No tasks.',
      keyOf: (t) => t.id,
      columns: [
        { header: 'Select', className: 'col-select', render: (cell, t) => this.selection.renderCell(cell, t) },
        { header: 'Task', className: 'col-task mono', render: (cell, t) => fill(cell, t.id, () => [readableTaskId(t.id), copyTaskIdButton(t.id)]) },
        { header: 'Host', className: 'col-host', render: (cell, t) => setText(cell, t.host ?? '–') },
        { header: 'Ports', className: 'col-ports mono', render: (cell, t) => setText(cell, (t.ports ?? []).join(', ') || '–') },
        {
          header: 'State',
          className: 'col-state',
          render: (cell, t) => {
            const state = t.state ?? 'TASK_STAGING';
            fill(cell, state, () => h('span', { class: `state state-${state.toLowerCase().replace('task_', '')}` }, state.replace('TASK_', '')));
          },
        },
        {
          header: 'Health',
          className: 'col-health-task',
          render: (cell, t) => {
            const health = taskHealth(t);
            const cause = t.healthCheckResults?.find((r) => !r.alive)?.lastFailureCause ?? '';
            fill(cell, `${health}|${cause}`, () => h('span', { class: `task-health ${health}`, title: cause || undefined }, health));
          },
        },
        { header: 'Staged', className: 'col-time', render: (cell, t) => this.timeCell(cell, t.stagedAt) },
        { header: 'Started', className: 'col-time', render: (cell, t) => this.timeCell(cell, t.startedAt) },
        { header: 'Version', className: 'mono', render: (cell, t) => setText(cell, t.version ?? '–') },
        { header: 'Sandbox', className: 'col-sandbox', render: (cell, t) => this.sandboxCell(cell, t) },
      ],
    });
    this.selection.listenTo(this.tasks.element);
    this.versions = new VersionsPanel(api);
    this.config = h('pre', { class: 'config mono' });
    const configDetails = h('details', null, h('summary', null, h('h2', null, 'Configuration')), this.config);
    configDetails.addEventListener('toggle', () => hooks.requestRender());
    this.body = h(
      'div',
      null,
      this.waiting,
      this.failure,
      h('section', { class: 'panel', 'aria-labelledby': 'tasks-title' }, this.tasksHeading, this.selection.toolbar, this.tasks.element),
      this.versions.element,
      h('section', { class: 'panel' }, configDetails),
    );
    this.element = h(
      'section',
      { class: 'view app-view', 'aria-labelledby': 'app-title' },
      this.crumbs,
      h('div', { class: 'view-head' }, h('div', { class: 'title-line' }, this.title, this.badge), actions),
      this.facts,
      this.notice,
      this.body,
    );
  }

  render(): void {
    this.now = Date.now();
    const detail = this.store.detail;
    if (detail === undefined) return;
    setText(this.title, detail.appId);
    fill(this.crumbs, detail.appId, () => breadcrumbOf(parentGroupOf(detail.appId)).flatMap((c) => [h('a', { href: groupHref(c.id) }, c.label), ' / ']));
    this.editLink.href = editHref(detail.appId);
    const row = this.store.rows.get(detail.appId);
    const app = detail.app ?? row?.app;

    this.notice.hidden = !detail.missing && detail.error === undefined;
    if (detail.missing)
      fill(this.notice, 'missing', () => [`App ${detail.appId} does not exist (any more). `, h('a', { href: '#/apps' }, 'Back to all applications')]);
    else if (detail.error !== undefined) fill(this.notice, detail.error, () => detail.error ?? '');
    this.body.hidden = detail.missing;
    if (app === undefined) return;

    const status = row?.status;
    fill(this.badge, status ?? '', () => (status === undefined ? '' : statusBadge(status)));
    const counts = healthCounts(app);
    const progress = row?.progress;
    fill(
      this.facts,
      `${app.tasksRunning}/${app.instances}/${counts.healthy}/${counts.unhealthy}/${counts.unknown}/${app.cpus}/${app.mem}/${progress?.currentStep}/${progress?.totalSteps}/${progress?.deploymentId}`,
      () => [
        h('span', { class: 'fact' }, h('strong', { 'data-testid': 'running-count' }, `${app.tasksRunning ?? 0} of ${app.instances ?? 0}`), ' running'),
        h(
          'span',
          { class: 'fact' },
          healthSummary(counts, app.instances ?? 0),
          ` ${counts.healthy} healthy · ${counts.unhealthy} unhealthy · ${counts.unknown} unknown`,
        ),
        h('span', { class: 'fact' }, `${formatCpus(app.cpus)} CPUs · ${formatMem(app.mem)} each`),
        progress === undefined
          ? null
          : h(
              'span',
              { class: 'fact' },
              'Deploying ',
              progressText(progress.currentStep, progress.totalSteps),
              ' ',
              h('code', { class: 'deployment-id' }, progress.deploymentId),
            ),
      ],
    );

    this.renderWaiting();
    const failure = app.lastTaskFailure;
    const failedTaskId = failure?.taskId ?? '';
    const stderr = failedTaskId === '' ? undefined : this.stderrTail(failedTaskId);
    fill(this.failure, failure === undefined ? '' : `${failure.taskId}|${failure.timestamp}|${stderr === undefined ? 'loading' : (stderr ?? 'none')}`, () =>
      failure === undefined
        ? ''
        : h(
            'section',
            { class: 'panel failure-panel', 'aria-label': 'Last task failure' },
            h('h2', null, 'Last task failure'),
            h(
              'p',
              null,
              h('span', { class: 'state state-failed' }, (failure.state ?? '').replace('TASK_', '')),
              ' ',
              h('span', { title: failure.timestamp }, ago(failure.timestamp, this.now)),
              ' on ',
              failure.host ?? '?',
              ' · ',
              h('span', { class: 'mono' }, readableTaskId(failedTaskId)),
              ' ',
              copyTaskIdButton(failedTaskId),
            ),
            h('pre', { class: 'mono failure-message' }, failure.message ?? ''),
            stderr === undefined
              ? h('p', { class: 'muted' }, 'Reading stderr…')
              : stderr === null
                ? h('p', { class: 'muted' }, 'Its sandbox (stderr) is not available.')
                : h(
                    'div',
                    { class: 'failure-stderr' },
                    h('h3', null, `Last lines of stderr`),
                    h('pre', { class: 'mono failure-stderr-text', 'aria-label': 'stderr of the failed task' }, stderr === '' ? '(empty)' : stderr),
                  ),
            failedTaskId === ''
              ? null
              : h('p', null, h('a', { href: taskLogsHref(failedTaskId, 'stderr'), 'data-log-viewer': '' }, 'Open its logs'), ' · ', logLinks(failedTaskId)),
          ),
    );

    const tasks = [...(app.tasks ?? [])].sort((a, b) => a.id.localeCompare(b.id));
    setText(this.tasksHeading, `Tasks (${tasks.length})`);
    this.selection.setTasks(app, tasks);
    this.tasks.setRows(tasks);
    this.tasks.render();
    this.versions.update(detail.appId, detail.versions);
    if (!this.config.closest('details')?.open) return;
    const { tasks: _t, deployments: _d, lastTaskFailure: _f, tasksStaged: _s, tasksRunning: _r, tasksHealthy: _h, tasksUnhealthy: _u, ...definition } = app;
    setText(this.config, JSON.stringify(definition, null, 2));
  }

  /** True while a backoff countdown is on screen (the caller re-renders every second). */
  get counting(): boolean {
    const row = this.store.detail === undefined ? undefined : this.store.rows.get(this.store.detail.appId);
    return row?.queued !== undefined && delayLeft(row.queued, this.store.fetchedAt, Date.now()) > 0;
  }

  /** True while the app waits in the launch queue (offer statistics change without events). */
  get queued(): boolean {
    const detail = this.store.detail;
    return detail !== undefined && this.store.rows.get(detail.appId)?.queued !== undefined;
  }

  /**
   * True while a deployment of the app runs: its instances may join the launch queue after the
   * event that announced the deployment was read, and joining the queue emits no event.
   */
  get deploying(): boolean {
    const detail = this.store.detail;
    return detail !== undefined && this.store.rows.get(detail.appId)?.status === 'Deploying';
  }

  private renderWaiting(): void {
    const detail = this.store.detail;
    const entry = detail === undefined ? undefined : this.store.rows.get(detail.appId)?.queued;
    if (entry === undefined) {
      if (this.waitingSignature !== '') replaceChildren(this.waiting);
      this.waitingSignature = '';
      return;
    }
    const left = Math.ceil(delayLeft(entry, this.store.fetchedAt, this.now));
    const signature = `${this.store.fetchedAt}|${left}`;
    if (signature === this.waitingSignature) return;
    this.waitingSignature = signature;
    replaceChildren(this.waiting, waitingPanel(entry, this.store.fetchedAt, this.now));
  }

  private timeCell(cell: HTMLTableCellElement, iso: string | null | undefined): void {
    const text = ago(iso, this.now);
    fill(cell, `${iso}|${text}`, () => h('time', { datetime: iso ?? undefined, title: iso ?? undefined }, text));
  }

  private sandboxCell(cell: HTMLTableCellElement, task: Task): void {
    const url = sandboxUrl(this.store.info, task);
    fill(cell, `${task.id}|${url ?? ''}`, () => [
      h('a', { href: taskLogsHref(task.id), 'data-log-viewer': '', 'aria-label': `Logs of task ${task.id}` }, 'Logs'),
      ' · ',
      logLinks(task.id),
      url === undefined ? null : ' · ',
      url === undefined ? null : h('a', { href: url, target: '_blank', rel: 'noopener' }, 'Mesos'),
    ]);
  }

  /** Starts fetching a failed task's stderr tail the first time it is asked for; re-renders when it arrives. */
  private stderrTail(taskId: string): string | null | undefined {
    if (this.failureStderr.has(taskId)) return this.failureStderr.get(taskId);
    this.failureStderr.set(taskId, undefined);
    void this.api.taskFileTail(taskId, 'stderr', FAILURE_STDERR_BYTES).then((tail) => {
      this.failureStderr.set(taskId, tail === undefined ? null : lastLines(tail, FAILURE_STDERR_LINES));
      this.hooks.requestRender();
    });
    return undefined;
  }
}

const FAILURE_STDERR_BYTES = 8192;
const FAILURE_STDERR_LINES = 20;

function lastLines(text: string, count: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.slice(-count).join('\n');
}

/** Downloads of a task's stdout and stderr through Pacer, which finds the sandbox (also of ended tasks). */
function logLinks(taskId: string): HTMLElement {
  const href = (file: string): string => `/pacer/tasks/${encodeURIComponent(taskId)}/files/download?path=${file}`;
  return h(
    'span',
    { class: 'log-links' },
    h('a', { href: href('stdout'), target: '_blank', rel: 'noopener', 'data-log': 'stdout' }, 'stdout'),
    ' · ',
    h('a', { href: href('stderr'), target: '_blank', rel: 'noopener', 'data-log': 'stderr' }, 'stderr'),
  );
}

/**
 * The Mesos UI's sandbox page of a task's executor, when /v2/info tells where the master is. Not
 * for the embedded master (`--master local`), which serves no Mesos UI.
 */
export function sandboxUrl(info: ServerInfo | undefined, task: Task): string | undefined {
  if (info?.marathon_config?.master === 'local') return undefined;
  const master = info?.marathon_config?.mesos_leader_ui_url;
  const frameworkId = info?.frameworkId;
  if (typeof master !== 'string' || !/^https?:\/\//.test(master) || frameworkId === undefined || task.slaveId === undefined) return undefined;
  const base = master.endsWith('/') ? master : `${master}/`;
  const enc = encodeURIComponent;
  return `${base}#/agents/${enc(task.slaveId)}/frameworks/${enc(frameworkId)}/executors/${enc(task.id)}/browse`;
}
