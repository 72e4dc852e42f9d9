/// <reference lib="dom" />
/**
 * `#/tasks/<taskId>/logs`: one task's stdout and stderr, read through Pacer's sandbox route
 * (`/pacer/tasks/{id}/files/read`), which also finds the sandboxes of ended tasks and of tasks
 * from before a restart. It shows the tail of the file (the last TAIL_BYTES); "Follow" asks every
 * second for what was written after the last byte shown and appends it, and pauses while the
 * browser tab is hidden. Leaving the page stops it.
 */
import { ApiError, type MarathonClient } from './api.js';
import { appHref, h, replaceChildren, setAttr, setText } from './dom.js';
import { appIdOfTask, copyTaskIdButton, readableTaskId } from './task-id.js';
import { describeError } from './store.js';

export type LogFile = 'stdout' | 'stderr';
export const LOG_FILES: readonly LogFile[] = ['stdout', 'stderr'];

/** How much of a file the viewer shows when it opens. */
export const TAIL_BYTES = 64 * 1024;
/** How often "Follow" asks for more. */
const FOLLOW_INTERVAL_MS = 1000;
/** Reads per follow tick at most, so a task that writes fast cannot keep the page busy. */
const MAX_READS_PER_TICK = 8;
/** What the page keeps of a followed file; older text is dropped from the top. */
const MAX_SHOWN_CHARS = 1024 * 1024;

export function taskLogsHref(taskId: string, file?: LogFile): string {
  return `#/tasks/${encodeURIComponent(taskId)}/logs${file === undefined ? '' : `/${file}`}`;
}

export function downloadHref(taskId: string, file: LogFile): string {
  return `/pacer/tasks/${encodeURIComponent(taskId)}/files/download?path=${file}`;
}

const encoder = new TextEncoder();

export class TaskLogsView {
  readonly element: HTMLElement;
  private readonly crumbs: HTMLElement;
  private readonly idLine: HTMLParagraphElement;
  private readonly tabs: Record<LogFile, HTMLButtonElement>;
  private readonly followButton: HTMLButtonElement;
  private readonly download: HTMLAnchorElement;
  private readonly status: HTMLParagraphElement;
  private readonly problem: HTMLDivElement;
  private readonly output: HTMLPreElement;

  private taskId = '';
  private file: LogFile = 'stdout';
  /** The next byte to read: everything before it is on screen (or was dropped from the top). */
  private offset = 0;
  private shownChars = 0;
  private following = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every open/close/tab switch, so answers to older requests are ignored. */
  private generation = 0;
  private loaded = false;

  constructor(private readonly api: MarathonClient) {
    this.crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' });
    this.idLine = h('p', { class: 'task-logs-id' });
    this.tabs = {
      stdout: h('button', { type: 'button', role: 'tab', id: 'log-tab-stdout', 'aria-controls': 'log-output', class: 'log-tab' }, 'stdout'),
      stderr: h('button', { type: 'button', role: 'tab', id: 'log-tab-stderr', 'aria-controls': 'log-output', class: 'log-tab' }, 'stderr'),
    };
    for (const file of LOG_FILES) this.tabs[file].addEventListener('click', () => this.switchTo(file, true));
    const tablist = h('div', { role: 'tablist', 'aria-label': 'Log file', class: 'log-tabs' }, this.tabs.stdout, this.tabs.stderr);
    tablist.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      const next = this.file === 'stdout' ? 'stderr' : 'stdout';
      this.switchTo(next, true);
    });
    this.followButton = h('button', { type: 'button', class: 'btn', 'aria-pressed': 'false', 'data-follow': '' }, 'Follow');
    this.followButton.addEventListener('click', () => this.setFollowing(!this.following));
    this.download = h('a', { class: 'btn', href: '#', download: '', 'data-download': '' }, 'Download');
    this.status = h('p', { class: 'muted log-status', role: 'status' });
    this.problem = h('div', { class: 'problem', role: 'alert', hidden: true });
    this.output = h('pre', { class: 'mono log-output', id: 'log-output', role: 'tabpanel', tabindex: 0, 'aria-live': 'off' });
    this.element = h(
      'section',
      { class: 'view task-logs-view', 'aria-labelledby': 'task-logs-title' },
      this.crumbs,
      h('div', { class: 'view-head' }, h('h1', { id: 'task-logs-title' }, 'Task logs')),
      this.idLine,
      h('div', { class: 'log-bar' }, tablist, h('div', { class: 'actions', role: 'group', 'aria-label': 'Log actions' }, this.followButton, this.download)),
      this.status,
      this.problem,
      this.output,
    );
    document.addEventListener('visibilitychange', () => {
      if (!this.following || this.taskId === '') return;
      if (document.visibilityState === 'hidden') this.stopTimer();
      else this.schedule(0);
      this.showStatus();
    });
  }

  /** Shows `taskId`'s logs, starting with its `file` tail. */
  open(taskId: string, file: LogFile = 'stdout'): void {
    const same = taskId === this.taskId && this.loaded;
    this.taskId = taskId;
    const appId = appIdOfTask(taskId);
    replaceChildren(
      this.crumbs,
      h('a', { href: '#/apps' }, 'Applications'),
      ' / ',
      appId === undefined ? null : h('a', { href: appHref(appId) }, appId),
      appId === undefined ? null : ' / ',
    );
    replaceChildren(this.idLine, 'Task ', readableTaskId(taskId, { full: true }), ' ', copyTaskIdButton(taskId));
    if (!same || file !== this.file) this.switchTo(file, false);
  }

  /** Leaving the page: nothing more is polled. */
  close(): void {
    this.generation++;
    this.following = false;
    this.stopTimer();
    this.taskId = '';
    this.loaded = false;
  }

  private switchTo(file: LogFile, fromUser: boolean): void {
    this.file = file;
    for (const f of LOG_FILES) {
      setAttr(this.tabs[f], 'aria-selected', String(f === file));
      setAttr(this.tabs[f], 'tabindex', f === file ? '0' : '-1');
    }
    setAttr(this.output, 'aria-labelledby', `log-tab-${file}`);
    this.download.href = downloadHref(this.taskId, file);
    if (fromUser) {
      this.tabs[file].focus();
      // Keeps the address shareable without a hashchange (which would reopen the page).
      history.replaceState(null, '', taskLogsHref(this.taskId, file));
    }
    void this.loadTail();
  }

  private async loadTail(): Promise<void> {
    const generation = ++this.generation;
    this.stopTimer();
    this.loaded = true;
    this.problem.hidden = true;
    this.output.hidden = false;
    setText(this.status, `Reading ${this.file}…`);
    try {
      const { offset: size } = await this.api.readTaskFile(this.taskId, this.file, -1);
      const from = Math.max(0, size - TAIL_BYTES);
      const chunk = size > from ? await this.api.readTaskFile(this.taskId, this.file, from, size - from) : { data: '', offset: from };
      if (generation !== this.generation) return;
      // A tail cut mid-line starts at the next whole line.
      const text = from > 0 && chunk.data.includes('\n') ? chunk.data.slice(chunk.data.indexOf('\n') + 1) : chunk.data;
      this.offset = chunk.offset + encoder.encode(chunk.data).length;
      this.output.textContent = text;
      this.shownChars = text.length;
      this.output.dataset.truncated = String(from > 0);
      this.showStatus(size);
      this.scrollToEnd();
      if (this.following) this.schedule(FOLLOW_INTERVAL_MS);
    } catch (err) {
      if (generation !== this.generation) return;
      this.fail(err);
    }
  }

  private setFollowing(on: boolean): void {
    this.following = on;
    setAttr(this.followButton, 'aria-pressed', String(on));
    setText(this.followButton, on ? 'Following' : 'Follow');
    if (on) this.schedule(0);
    else this.stopTimer();
    this.showStatus();
  }

  private schedule(ms: number): void {
    this.stopTimer();
    if (document.visibilityState === 'hidden') return;
    const generation = this.generation;
    this.timer = setTimeout(() => void this.poll(generation), ms);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reads what was written after `offset` and appends it; then waits for the next tick. */
  private async poll(generation: number): Promise<void> {
    this.timer = undefined;
    try {
      for (let i = 0; i < MAX_READS_PER_TICK; i++) {
        if (document.visibilityState === 'hidden') break;
        const chunk = await this.api.readTaskFile(this.taskId, this.file, this.offset);
        if (generation !== this.generation) return;
        if (chunk.data.length === 0) break;
        this.append(chunk.data);
        this.offset = chunk.offset + encoder.encode(chunk.data).length;
      }
    } catch (err) {
      if (generation !== this.generation) return;
      this.setFollowing(false);
      this.fail(err);
      return;
    }
    if (generation !== this.generation || !this.following) return;
    this.showStatus();
    this.schedule(FOLLOW_INTERVAL_MS);
  }

  private append(data: string): void {
    const atEnd = this.output.scrollHeight - this.output.scrollTop - this.output.clientHeight < 24;
    if (this.shownChars + data.length > MAX_SHOWN_CHARS) {
      const kept = this.output.textContent + data;
      const cut = kept.slice(-MAX_SHOWN_CHARS);
      const text = cut.includes('\n') ? cut.slice(cut.indexOf('\n') + 1) : cut;
      this.output.textContent = text;
      this.shownChars = text.length;
      this.output.dataset.truncated = 'true';
    } else {
      this.output.append(document.createTextNode(data));
      this.shownChars += data.length;
    }
    if (atEnd) this.scrollToEnd();
  }

  private scrollToEnd(): void {
    this.output.scrollTop = this.output.scrollHeight;
  }

  private showStatus(size?: number): void {
    const parts: string[] = [this.file];
    const total = size ?? this.offset;
    parts.push(this.output.dataset.truncated === 'true' ? `Last ${formatBytes(TAIL_BYTES)} of ${formatBytes(total)}` : `${formatBytes(total)}`);
    if (this.following) parts.push(document.visibilityState === 'hidden' ? 'following paused while the tab is hidden' : 'following (every second)');
    setText(this.status, parts.join(' · '));
  }

  private fail(err: unknown): void {
    this.output.hidden = true;
    this.problem.hidden = false;
    setText(this.status, '');
    if (err instanceof ApiError && err.status === 404) {
      replaceChildren(
        this.problem,
        h('strong', null, `The sandbox of this task is gone, or has no ${this.file}.`),
        ' Mesos removes the sandboxes of ended tasks after the agent’s --gc_delay, and a task that never started has none. ',
        h('span', { class: 'muted' }, `(${describeError(err)})`),
      );
    } else {
      replaceChildren(this.problem, `Could not read ${this.file}: ${describeError(err)}`);
    }
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
