/// <reference lib="dom" />
/**
 * Create or edit an app as JSON. The text goes to the server as typed; a 422's details are
 * listed beside the editor and each path's line is highlighted (best effort: the nearest
 * ancestor's line when the path is not in the text, e.g. a missing field).
 */
import { announce } from './actions.js';
import { ApiError, type MarathonClient } from './api.js';
import { setBusy } from './dialogs.js';
import { appHref, h, replaceChildren, setText } from './dom.js';
import { JsonEditor, type LineMark } from './json-editor.js';
import { lineOfPath, locateJsonPaths } from './json-locate.js';
import type { AppInfo, ErrorBody } from './marathon-types.js';
import { describeError } from './store.js';

export const APP_TEMPLATE = `{
  "id": "/my-app",
  "cmd": "python3 -m http.server $PORT0",
  "instances": 1,
  "cpus": 0.1,
  "mem": 64,
  "portDefinitions": [
    { "port": 0, "name": "http" }
  ],
  "healthChecks": [
    {
      "protocol": "MESOS_HTTP",
      "path": "/",
      "portIndex": 0,
      "gracePeriodSeconds": 30,
      "intervalSeconds": 10,
      "maxConsecutiveFailures": 3
    }
  ]
}
`;

/** Fields the server computes; sending them back in a PUT would be refused or ignored. */
const RUNTIME_FIELDS = [
  'version',
  'versionInfo',
  'tasks',
  'deployments',
  'lastTaskFailure',
  'tasksStaged',
  'tasksRunning',
  'tasksHealthy',
  'tasksUnhealthy',
  'taskStats',
  'readinessCheckResults',
];

export function editableDefinition(app: AppInfo): string {
  const copy: Record<string, unknown> = { ...app };
  for (const field of RUNTIME_FIELDS) delete copy[field];
  return `${JSON.stringify(copy, null, 2)}\n`;
}

/** Marathon passes Play's error keys through unexplained; say what they mean beside them. */
const ERROR_KEY_HINTS: Readonly<Record<string, string>> = {
  'error.expected.jsstring': 'must be a string',
  'error.expected.jsnumber': 'must be a number',
  'error.expected.jsboolean': 'must be true or false',
  'error.expected.jsarray': 'must be an array',
  'error.expected.jsobject': 'must be an object',
  'error.path.missing': 'is required',
  'error.min': 'is below the smallest allowed value',
  'error.max': 'is above the largest allowed value',
  'error.minLength': 'is too short',
  'error.maxLength': 'is too long',
  'error.pattern': 'does not have the required form',
  'error.unknown.enum.literal': 'is not one of the allowed values',
};

interface Problem {
  path: string | undefined;
  messages: string[];
  line: number | undefined;
  exact: boolean;
}

export interface EditorHooks {
  /** After a successful create/update: show the app. */
  onSaved(appId: string): void;
}

export class EditorView {
  readonly element: HTMLElement;
  private readonly heading: HTMLHeadingElement;
  private readonly editor: JsonEditor;
  private readonly problemsList: HTMLUListElement;
  private readonly problemsTitle: HTMLHeadingElement;
  private readonly submit: HTMLButtonElement;
  private readonly cancel: HTMLAnchorElement;
  private serverErrors: ErrorBody | undefined;
  private editingId: string | undefined;
  private inputTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: MarathonClient,
    private readonly hooks: EditorHooks,
  ) {
    this.heading = h('h1', { id: 'editor-title' });
    this.editor = new JsonEditor('app-json', 'App definition (JSON)', () => {
      if (this.inputTimer !== undefined) clearTimeout(this.inputTimer);
      this.inputTimer = setTimeout(() => this.showProblems(), 250);
    });
    this.problemsTitle = h('h2', { id: 'problems-title' }, 'Problems');
    this.problemsList = h('ul', { class: 'problems', id: 'problems', 'aria-live': 'polite', 'aria-labelledby': 'problems-title' });
    this.problemsList.addEventListener('click', (e) => {
      const jump = (e.target as Element).closest<HTMLElement>('[data-line]');
      if (jump !== null) this.editor.revealLine(Number(jump.dataset.line));
    });
    this.submit = h('button', { type: 'submit', class: 'btn primary' }, 'Create');
    const format = h('button', { type: 'button', class: 'btn' }, 'Format JSON');
    format.addEventListener('click', () => this.format());
    this.cancel = h('a', { class: 'btn', href: '#/apps' }, 'Cancel');
    const form = h(
      'form',
      { class: 'editor-form', novalidate: true },
      h('div', { class: 'editor-main' }, h('label', { for: 'app-json', class: 'field-label' }, 'App definition (Marathon JSON)'), this.editor.element),
      h('aside', { class: 'editor-side', 'aria-labelledby': 'problems-title' }, this.problemsTitle, this.problemsList),
      h('div', { class: 'form-actions' }, this.submit, format, this.cancel),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save();
    });
    this.element = h(
      'section',
      { class: 'view editor-view', 'aria-labelledby': 'editor-title' },
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/apps' }, 'Applications'), ' / '),
      this.heading,
      form,
    );
  }

  /** Opens an empty template (create) or the app's current definition (edit). */
  async open(appId: string | undefined): Promise<void> {
    this.editingId = appId;
    this.serverErrors = undefined;
    setText(this.heading, appId === undefined ? 'Create application' : `Edit ${appId}`);
    setText(this.submit, appId === undefined ? 'Create' : 'Save changes');
    this.cancel.href = appId === undefined ? '#/apps' : appHref(appId);
    if (appId === undefined) {
      this.editor.value = APP_TEMPLATE;
    } else {
      this.editor.value = '';
      try {
        this.editor.value = editableDefinition(await this.api.getApp(appId));
      } catch (err) {
        this.serverErrors = { message: `Cannot load ${appId}: ${describeError(err)}` };
      }
    }
    this.showProblems();
  }

  private format(): void {
    try {
      this.editor.value = `${JSON.stringify(JSON.parse(this.editor.value), null, 2)}\n`;
    } catch {
      // The problems list already says where the text stops being JSON.
    }
    this.showProblems();
  }

  private async save(): Promise<void> {
    const text = this.editor.value;
    const locations = locateJsonPaths(text);
    if (locations.syntax !== undefined) {
      this.serverErrors = undefined;
      this.showProblems();
      this.editor.revealLine(locations.syntax.line);
      return;
    }
    setBusy(this.submit, true);
    try {
      const id = this.editingId;
      const result = id === undefined ? await this.api.createApp(text) : await this.api.updateApp(id, text);
      const appId = id ?? (result.body as AppInfo | undefined)?.id ?? idFromText(text);
      announce(result, id === undefined ? `Created ${appId}` : `Updated ${appId}`);
      this.serverErrors = undefined;
      this.showProblems();
      if (appId !== undefined) this.hooks.onSaved(appId);
    } catch (err) {
      this.serverErrors =
        err instanceof ApiError ? { ...(err.body ?? {}), message: `${err.status} ${err.body?.message ?? err.message}` } : { message: describeError(err) };
      this.showProblems();
      const first = this.problemsList.querySelector<HTMLElement>('[data-line]');
      if (first !== null) this.editor.revealLine(Number(first.dataset.line));
    } finally {
      setBusy(this.submit, false);
    }
  }

  /** Recomputes problems against the current text, so highlights follow the user's edits. */
  private showProblems(): void {
    const text = this.editor.value;
    const locations = locateJsonPaths(text);
    const problems: Problem[] = [];
    if (locations.syntax !== undefined) {
      problems.push({
        path: undefined,
        messages: [`Not valid JSON: ${locations.syntax.message} (line ${locations.syntax.line}, column ${locations.syntax.column})`],
        line: locations.syntax.line,
        exact: true,
      });
    }
    const body = this.serverErrors;
    const details = Array.isArray(body?.details) ? body.details : [];
    for (const d of details) {
      const at = lineOfPath(locations, d.path);
      problems.push({ path: d.path, messages: d.errors, line: at?.line, exact: at?.exact ?? false });
    }

    const items: HTMLLIElement[] = [];
    if (body?.message !== undefined) {
      const extra = typeof body.details === 'string' ? body.details : undefined;
      items.push(h('li', { class: 'problem-summary' }, h('strong', null, body.message), extra === undefined ? null : h('div', { class: 'mono' }, extra)));
    }
    for (const p of problems) {
      items.push(
        h(
          'li',
          { class: 'problem-item', 'data-path': p.path },
          p.path === undefined ? null : h('code', { class: 'problem-path' }, p.path),
          p.line === undefined ? null : h('button', { type: 'button', class: 'link', 'data-line': p.line }, p.exact ? `line ${p.line}` : `near line ${p.line}`),
          h(
            'ul',
            { class: 'problem-messages' },
            ...p.messages.map((m) =>
              h('li', null, m, ERROR_KEY_HINTS[m] === undefined ? null : h('span', { class: 'problem-hint' }, ` — ${ERROR_KEY_HINTS[m]}`)),
            ),
          ),
        ),
      );
    }
    if (items.length === 0) items.push(h('li', { class: 'muted no-problems' }, 'No problems found. The server checks the rest when you submit.'));
    replaceChildren(this.problemsList, ...items);
    const marks: LineMark[] = problems
      .filter((p) => p.line !== undefined)
      .map((p) => ({ line: p.line!, message: `${p.path ?? ''} ${p.messages.join('; ')}`.trim() }));
    this.editor.setMarks(marks);
  }
}

function idFromText(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    if (typeof id !== 'string') return undefined;
    return id.startsWith('/') ? id : `/${id}`;
  } catch {
    return undefined;
  }
}
