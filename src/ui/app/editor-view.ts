/// <reference lib="dom" />
/**
 * Create or edit an app, in a form (the common fields) or as JSON: two tabs over ONE definition.
 * Leaving the form writes its object into the JSON text (untouched text stays as typed); leaving
 * the JSON parses the text into the form, whose edits keep every field it does not show. The
 * JSON text goes to the server as typed; a 422's details are listed beside the editor with each
 * path's line highlighted (best effort: the nearest ancestor's line when the path is not in the
 * text, e.g. a missing field), and in the form at the field each path names.
 */
import { announce } from './actions.js';
import { AppForm } from './app-form.js';
import { definitionText, parseDefinition } from './app-form-model.js';
import { ApiError, type MarathonClient } from './api.js';
import { setBusy } from './dialogs.js';
import { ERROR_KEY_HINTS } from './error-hints.js';
import { appHref, h, replaceChildren, setAttr, setText } from './dom.js';
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

interface Problem {
  path: string | undefined;
  messages: string[];
  line: number | undefined;
  exact: boolean;
}

export type EditorMode = 'form' | 'json';

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
  private readonly form: AppForm;
  private readonly formElement: HTMLFormElement;
  private readonly tabs: Record<EditorMode, HTMLButtonElement>;
  private readonly panels: Record<EditorMode, HTMLElement>;
  private readonly tabNote: HTMLParagraphElement;
  private readonly formatButton: HTMLButtonElement;
  private mode: EditorMode = 'form';
  /** The form changed the definition since the JSON text was last written or parsed. */
  private formAhead = false;

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
    this.formatButton = h('button', { type: 'button', class: 'btn' }, 'Format JSON');
    this.formatButton.addEventListener('click', () => this.format());
    this.cancel = h('a', { class: 'btn', href: '#/apps' }, 'Cancel');
    this.form = new AppForm(() => {
      this.formAhead = true;
    });
    this.tabs = {
      form: h('button', { type: 'button', role: 'tab', id: 'editor-tab-form', 'aria-controls': 'editor-panel-form', class: 'editor-tab' }, 'Form'),
      json: h('button', { type: 'button', role: 'tab', id: 'editor-tab-json', 'aria-controls': 'editor-panel-json', class: 'editor-tab' }, 'JSON'),
    };
    this.panels = {
      form: h('div', { role: 'tabpanel', id: 'editor-panel-form', 'aria-labelledby': 'editor-tab-form', class: 'editor-panel' }, this.form.element),
      json: h(
        'div',
        { role: 'tabpanel', id: 'editor-panel-json', 'aria-labelledby': 'editor-tab-json', class: 'editor-panel editor-panel-json' },
        h('div', { class: 'editor-main' }, h('label', { for: 'app-json', class: 'field-label' }, 'App definition (Marathon JSON)'), this.editor.element),
        h('aside', { class: 'editor-side', 'aria-labelledby': 'problems-title' }, this.problemsTitle, this.problemsList),
      ),
    };
    this.tabNote = h('p', { class: 'tab-note', role: 'status' });
    const tablist = h('div', { role: 'tablist', 'aria-label': 'Edit as', class: 'editor-tabs' }, this.tabs.form, this.tabs.json);
    for (const mode of ['form', 'json'] as const) this.tabs[mode].addEventListener('click', () => this.switchTo(mode));
    tablist.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      const next: EditorMode = this.mode === 'form' ? 'json' : 'form';
      if (this.switchTo(next)) this.tabs[next].focus();
    });
    const form = h(
      'form',
      { class: 'editor-form tabbed', novalidate: true },
      h('div', { class: 'editor-tabbar' }, tablist, this.tabNote),
      this.panels.form,
      this.panels.json,
      h('div', { class: 'form-actions' }, this.submit, this.formatButton, this.cancel),
    );
    this.formElement = form;
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
    let loaded = true;
    if (appId === undefined) {
      this.editor.value = APP_TEMPLATE;
    } else {
      this.editor.value = '';
      this.form.load({});
      try {
        this.editor.value = editableDefinition(await this.api.getApp(appId));
      } catch (err) {
        loaded = false;
        this.serverErrors = { message: `Cannot load ${appId}: ${describeError(err)}` };
      }
    }
    this.formAhead = false;
    const parsed = parseDefinition(this.editor.value);
    this.form.load('definition' in parsed ? parsed.definition : {});
    this.showMode(loaded ? 'form' : 'json');
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

  /**
   * Shows the other view of the definition, carrying the edits over. The JSON view is left only
   * for a JSON object the form can show; otherwise it stays open and says why.
   */
  private switchTo(mode: EditorMode): boolean {
    if (mode === this.mode) return true;
    if (mode === 'json') {
      this.syncTextFromForm();
    } else {
      const parsed = parseDefinition(this.editor.value);
      if ('problem' in parsed) {
        setText(this.tabNote, parsed.problem);
        this.showProblems();
        return false;
      }
      this.form.load(parsed.definition);
      this.formAhead = false;
    }
    this.showMode(mode);
    this.showProblems();
    return true;
  }

  private showMode(mode: EditorMode): void {
    this.mode = mode;
    setText(this.tabNote, '');
    for (const m of ['form', 'json'] as const) {
      const selected = m === mode;
      setAttr(this.tabs[m], 'aria-selected', String(selected));
      setAttr(this.tabs[m], 'tabindex', selected ? '0' : '-1');
      this.panels[m].hidden = !selected;
    }
    this.formatButton.hidden = mode !== 'json';
  }

  /** Writes the form's object into the JSON text, if the form changed it (else the text stays as typed). */
  private syncTextFromForm(): void {
    if (!this.formAhead) return;
    this.editor.value = definitionText(this.form.value);
    this.formAhead = false;
  }

  private async save(): Promise<void> {
    if (this.mode === 'form') {
      // Only what the inputs themselves know (a required id, a number field holding no number).
      if (!this.formElement.reportValidity()) return;
      this.syncTextFromForm();
    }
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
      if (this.mode === 'form') {
        this.form.focusFirstProblem();
      } else {
        const first = this.problemsList.querySelector<HTMLElement>('[data-line]');
        if (first !== null) this.editor.revealLine(Number(first.dataset.line));
      }
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
    this.form.showProblems({
      summary: body?.message,
      extra: typeof body?.details === 'string' ? body.details : undefined,
      details,
    });
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
