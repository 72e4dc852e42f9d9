/// <reference lib="dom" />
/**
 * The form half of the app editor: the common fields of one app definition (id, cmd, resources,
 * ports, env, labels, health checks, constraints) as inputs. It edits the definition object in
 * place (see app-form-model.ts), so fields it does not show stay as they were. A 422's details
 * are shown at the field or row their path names; the rest are listed at the top.
 */
import {
  CONSTRAINT_OPERATORS,
  constraintRows,
  HEALTH_CHECK_PROTOCOLS,
  keyValueRows,
  objectRows,
  placeOfPath,
  PORT_PROTOCOLS,
  rowsOf,
  selectOptions,
  setNumber,
  setText,
  shown,
  writeConstraintRows,
  writeKeyValueRows,
  type ConstraintRow,
  type Definition,
  type KeyValueRow,
} from './app-form-model.js';
import { h, replaceChildren, type Child } from './dom.js';
import { ERROR_KEY_HINTS } from './error-hints.js';
import { normalisePath } from './json-locate.js';

export interface ErrorDetail {
  path: string;
  errors: string[];
}

export interface FormProblems {
  /** The server's message (e.g. "422 Object is not valid"), shown at the top. */
  summary: string | undefined;
  /** A non-array `details` (free text) from the server, shown with the summary. */
  extra: string | undefined;
  details: readonly ErrorDetail[];
}

type Target = Record<string, unknown>;
type KeyValueField = 'env' | 'labels';
type KeyValueState = { rows: KeyValueRow[]; kept: Record<string, unknown> };

const KEY_VALUE_WORDS: Record<KeyValueField, { title: string; noun: string; keyLabel: string }> = {
  env: { title: 'Environment variable', noun: 'environment variable', keyLabel: 'Name' },
  labels: { title: 'Label', noun: 'label', keyLabel: 'Key' },
};

const NO_PROBLEMS: FormProblems = { summary: undefined, extra: undefined, details: [] };

export class AppForm {
  readonly element: HTMLDivElement;
  private definition: Definition = {};
  private problems: FormProblems = NO_PROBLEMS;
  private keyValues: Record<KeyValueField, KeyValueState | undefined> = { env: undefined, labels: undefined };
  private readonly top: HTMLUListElement;
  private readonly general: HTMLDivElement;
  private readonly ports: HTMLDivElement;
  private readonly env: HTMLDivElement;
  private readonly labels: HTMLDivElement;
  private readonly healthChecks: HTMLDivElement;
  private readonly constraints: HTMLDivElement;

  constructor(private readonly onChange: () => void) {
    this.top = h('ul', { class: 'form-problems', 'aria-live': 'polite', 'aria-label': 'Problems the form cannot place' });
    this.general = h('div', { class: 'form-grid' });
    this.ports = h('div', { class: 'form-rows' });
    this.env = h('div', { class: 'form-rows' });
    this.labels = h('div', { class: 'form-rows' });
    this.healthChecks = h('div', { class: 'form-rows' });
    this.constraints = h('div', { class: 'form-rows' });
    this.element = h(
      'div',
      { class: 'app-form' },
      this.top,
      section('General', undefined, this.general),
      section('Ports', '/portDefinitions', this.ports),
      section('Environment variables', '/env', this.env),
      section('Labels', '/labels', this.labels),
      section('Health checks', '/healthChecks', this.healthChecks),
      section('Constraints', '/constraints', this.constraints),
    );
  }

  /** Shows `definition` (the object itself is edited from now on). */
  load(definition: Definition): void {
    this.definition = definition;
    this.renderGeneral();
    this.renderPorts();
    // Env and label rows live here between edits: a blank new row is not in the definition yet.
    this.keyValues = { env: keyValueRows(definition.env), labels: keyValueRows(definition.labels) };
    this.renderKeyValues('env');
    this.renderKeyValues('labels');
    this.renderHealthChecks();
    this.renderConstraints();
  }

  get value(): Definition {
    return this.definition;
  }

  showProblems(problems: FormProblems): void {
    this.problems = problems;
    this.placeProblems();
  }

  /** Focuses the first field or row that shows an error; with none, scrolls the list at the top into view. */
  focusFirstProblem(): void {
    const control = this.element.querySelector('.has-error')?.querySelector<HTMLElement>('input, select, textarea, button');
    if (control !== undefined && control !== null) control.focus();
    else if (this.top.childElementCount > 0) this.top.scrollIntoView({ block: 'nearest' });
  }

  private changed(): void {
    this.onChange();
  }

  private renderGeneral(): void {
    const d = this.definition;
    replaceChildren(
      this.general,
      this.textField('/id', 'ID', d, 'id', { required: true, wide: true, placeholder: '/group/app' }),
      this.textField('/cmd', 'Command', d, 'cmd', { multiline: true, wide: true }),
      this.numberField('/instances', 'Instances', d, 'instances'),
      this.numberField('/cpus', 'CPUs', d, 'cpus'),
      this.numberField('/mem', 'Memory (MiB)', d, 'mem'),
      this.numberField('/disk', 'Disk (MiB)', d, 'disk'),
    );
    this.placeProblems();
  }

  private renderPorts(): void {
    const rows = objectRows(this.definition.portDefinitions);
    if (rows === undefined) return this.notEditable(this.ports, 'portDefinitions');
    const items = rows.map((port, i) => {
      const at = `/portDefinitions(${i})`;
      return this.row(at, `Port ${i + 1}`, [
        this.numberField(`${at}/port`, 'Port', port, 'port'),
        this.textField(`${at}/name`, 'Name', port, 'name'),
        this.selectField(`${at}/protocol`, 'Protocol', port, 'protocol', PORT_PROTOCOLS, 'tcp (default)'),
        this.removeButton(`Remove port ${i + 1}`, () => {
          rows.splice(i, 1);
          this.definition.portDefinitions = rows;
          this.renderPorts();
        }),
      ]);
    });
    const add = this.addButton('Add port', () => {
      rowsOf(this.definition, 'portDefinitions').push({ port: 0 });
      this.renderPorts();
    });
    replaceChildren(this.ports, ...items, add);
    this.placeProblems();
  }

  private renderKeyValues(field: KeyValueField): void {
    const body = field === 'env' ? this.env : this.labels;
    const state = this.keyValues[field];
    if (state === undefined) return this.notEditable(body, field);
    const words = KEY_VALUE_WORDS[field];
    const write = (): void => {
      writeKeyValueRows(this.definition, field, state.rows, state.kept);
      this.changed();
    };
    const items = state.rows.map((entry, i) => {
      const keyInput = h('input', { type: 'text', id: fieldId(`${field}-${i}-key`), value: entry.key, autocomplete: 'off', spellcheck: 'false' });
      const valueInput = h('input', { type: 'text', id: fieldId(`${field}-${i}-value`), value: entry.value, autocomplete: 'off', spellcheck: 'false' });
      const row = this.row(
        `/${field}/${entry.key}`,
        `${words.title} ${i + 1}`,
        [
          cell(undefined, words.keyLabel, keyInput),
          cell(undefined, 'Value', valueInput),
          this.removeButton(`Remove ${words.noun} ${i + 1}`, () => {
            state.rows.splice(i, 1);
            writeKeyValueRows(this.definition, field, state.rows, state.kept);
            this.renderKeyValues(field);
          }),
        ],
        `${field}-${i}`,
      );
      keyInput.addEventListener('input', () => {
        entry.key = keyInput.value;
        row.dataset.path = `/${field}/${entry.key}`;
        write();
      });
      valueInput.addEventListener('input', () => {
        entry.value = valueInput.value;
        write();
      });
      return row;
    });
    const keptNames = Object.keys(state.kept);
    const keptNote = keptNames.length === 0 ? null : h('p', { class: 'muted form-note' }, `Kept as in the JSON (not plain strings): ${keptNames.join(', ')}`);
    const add = this.addButton(`Add ${words.noun}`, () => {
      state.rows.push({ key: '', value: '' });
      writeKeyValueRows(this.definition, field, state.rows, state.kept);
      this.renderKeyValues(field);
    });
    replaceChildren(body, ...items, keptNote, add);
    this.placeProblems();
  }

  private renderHealthChecks(): void {
    const rows = objectRows(this.definition.healthChecks);
    if (rows === undefined) return this.notEditable(this.healthChecks, 'healthChecks');
    const items = rows.map((check, i) => {
      const at = `/healthChecks(${i})`;
      return this.row(at, `Health check ${i + 1}`, [
        this.selectField(`${at}/protocol`, 'Protocol', check, 'protocol', HEALTH_CHECK_PROTOCOLS, 'HTTP (default)'),
        this.textField(`${at}/path`, 'Path', check, 'path', { placeholder: '/' }),
        this.numberField(`${at}/portIndex`, 'Port index', check, 'portIndex'),
        this.numberField(`${at}/gracePeriodSeconds`, 'Grace (s)', check, 'gracePeriodSeconds'),
        this.numberField(`${at}/intervalSeconds`, 'Interval (s)', check, 'intervalSeconds'),
        this.numberField(`${at}/timeoutSeconds`, 'Timeout (s)', check, 'timeoutSeconds'),
        this.numberField(`${at}/maxConsecutiveFailures`, 'Max failures', check, 'maxConsecutiveFailures'),
        this.removeButton(`Remove health check ${i + 1}`, () => {
          rows.splice(i, 1);
          this.definition.healthChecks = rows;
          this.renderHealthChecks();
        }),
      ]);
    });
    const add = this.addButton('Add health check', () => {
      rowsOf(this.definition, 'healthChecks').push({ protocol: 'MESOS_HTTP', path: '/', portIndex: 0 });
      this.renderHealthChecks();
    });
    replaceChildren(this.healthChecks, ...items, add);
    this.placeProblems();
  }

  private renderConstraints(): void {
    const rows = constraintRows(this.definition.constraints);
    if (rows === undefined) return this.notEditable(this.constraints, 'constraints');
    const write = (): void => {
      writeConstraintRows(this.definition, rows);
      this.changed();
    };
    const items = rows.map((c, i) => this.constraintRow(c, i, write, rows));
    const add = this.addButton('Add constraint', () => {
      rows.push({ field: 'hostname', operator: 'UNIQUE', value: '' });
      writeConstraintRows(this.definition, rows);
      this.renderConstraints();
    });
    replaceChildren(this.constraints, ...items, add);
    this.placeProblems();
  }

  private constraintRow(c: ConstraintRow, i: number, write: () => void, rows: ConstraintRow[]): HTMLDivElement {
    const at = `/constraints(${i})`;
    const fieldInput = h('input', { type: 'text', id: fieldId(`constraint-${i}-field`), value: c.field, autocomplete: 'off', spellcheck: 'false' });
    const operator = selectElement(fieldId(`constraint-${i}-operator`), CONSTRAINT_OPERATORS, c.operator, undefined);
    const valueInput = h('input', { type: 'text', id: fieldId(`constraint-${i}-value`), value: c.value, autocomplete: 'off', spellcheck: 'false' });
    fieldInput.addEventListener('input', () => {
      c.field = fieldInput.value;
      write();
    });
    operator.addEventListener('change', () => {
      c.operator = operator.value;
      write();
    });
    valueInput.addEventListener('input', () => {
      c.value = valueInput.value;
      write();
    });
    return this.row(at, `Constraint ${i + 1}`, [
      cell(undefined, 'Field', fieldInput),
      cell(undefined, 'Operator', operator),
      cell(undefined, 'Value', valueInput),
      this.removeButton(`Remove constraint ${i + 1}`, () => {
        rows.splice(i, 1);
        writeConstraintRows(this.definition, rows);
        this.renderConstraints();
      }),
    ]);
  }

  /** A field whose JSON is not the shape the form edits (e.g. `"env": []`) is left to the JSON view. */
  private notEditable(body: HTMLDivElement, field: string): void {
    replaceChildren(body, h('p', { class: 'muted form-note' }, `"${field}" is not in a shape this form edits; change it in the JSON view.`));
    this.placeProblems();
  }

  /** `idBase` names the row's error list when its path is no stable name (an env row's path is its key). */
  private row(path: string, label: string, cells: Child[], idBase = path): HTMLDivElement {
    const errors = h('ul', { class: 'field-errors', id: fieldId(`${idBase}-row-errors`) });
    const row = h('div', { class: 'form-row', role: 'group', 'aria-label': label, 'data-path': path }, h('div', { class: 'form-row-cells' }, ...cells), errors);
    // An error about the whole row (a constraint) describes each of its inputs too.
    row
      .querySelectorAll('input, select')
      .forEach((control) => control.setAttribute('aria-describedby', `${control.getAttribute('aria-describedby') ?? ''} ${errors.id}`.trim()));
    return row;
  }

  private textField(
    path: string,
    label: string,
    target: Target,
    key: string,
    opts: { required?: boolean; multiline?: boolean; wide?: boolean; placeholder?: string } = {},
  ): HTMLDivElement {
    const attrs = { id: fieldId(path), required: opts.required === true, placeholder: opts.placeholder, autocomplete: 'off', spellcheck: 'false' };
    const control = opts.multiline === true ? h('textarea', { ...attrs, rows: 2, class: 'mono' }) : h('input', { ...attrs, type: 'text' });
    control.value = shown(target[key]);
    control.addEventListener('input', () => {
      setText(target, key, control.value);
      this.changed();
    });
    return cell(path, label, control, opts.wide === true ? 'field wide' : 'field');
  }

  private numberField(path: string, label: string, target: Target, key: string): HTMLDivElement {
    // step="any": the browser must not second-guess fractions (cpus 0.1); only "not a number" stops a submit.
    const control = h('input', { type: 'number', step: 'any', id: fieldId(path), value: shown(target[key]), inputmode: 'decimal' });
    control.addEventListener('input', () => {
      if (control.validity.badInput) return;
      setNumber(target, key, control.value);
      this.changed();
    });
    return cell(path, label, control);
  }

  private selectField(path: string, label: string, target: Target, key: string, known: readonly string[], unsetLabel: string): HTMLDivElement {
    const current = typeof target[key] === 'string' ? target[key] : undefined;
    const control = selectElement(fieldId(path), known, current ?? '', unsetLabel);
    control.addEventListener('change', () => {
      setText(target, key, control.value);
      this.changed();
    });
    return cell(path, label, control);
  }

  private removeButton(label: string, remove: () => void): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'btn ghost remove-row', 'aria-label': label, title: label }, '✕');
    button.addEventListener('click', () => {
      const section = button.closest('fieldset');
      remove();
      this.changed();
      section?.querySelector<HTMLButtonElement>('.add-row')?.focus();
    });
    return button;
  }

  private addButton(label: string, add: () => void): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'btn add-row' }, h('span', { 'aria-hidden': 'true' }, '+'), label);
    button.addEventListener('click', () => {
      const section = button.closest('fieldset');
      add();
      this.changed();
      const rows = section?.querySelectorAll('.form-row');
      rows?.[rows.length - 1]?.querySelector<HTMLElement>('input, select, textarea')?.focus();
    });
    return button;
  }

  /** Puts each detail at the field or row its path names (or the nearest one shown), the rest at the top. */
  private placeProblems(): void {
    const places = new Map<string, HTMLElement>();
    this.element.querySelectorAll<HTMLElement>('[data-path]').forEach((el) => {
      el.classList.remove('has-error');
      const slot = el.querySelector(':scope > .field-errors');
      if (slot === null) return;
      replaceChildren(slot);
      places.set(el.dataset.path!, el);
    });
    this.element.querySelectorAll('[aria-invalid]').forEach((control) => control.removeAttribute('aria-invalid'));

    const unplaced: ErrorDetail[] = [];
    for (const detail of this.problems.details) {
      const place = placeOfPath(detail.path, (p) => places.has(p));
      const el = place === undefined ? undefined : places.get(place);
      if (el === undefined) {
        unplaced.push(detail);
        continue;
      }
      el.classList.add('has-error');
      const own = normalisePath(detail.path) === place;
      const slot = el.querySelector(':scope > .field-errors')!;
      for (const message of detail.errors) slot.append(errorItem(own ? undefined : detail.path, message));
      const control = el.querySelector<HTMLElement>(':scope > input, :scope > select, :scope > textarea');
      control?.setAttribute('aria-invalid', 'true');
    }

    const items: HTMLLIElement[] = [];
    const { summary, extra } = this.problems;
    if (summary !== undefined) {
      items.push(h('li', { class: 'form-summary' }, h('strong', null, summary), extra === undefined ? null : h('div', { class: 'mono' }, extra)));
    }
    for (const d of unplaced) {
      items.push(
        h(
          'li',
          { class: 'form-problem', 'data-path': d.path },
          h('code', { class: 'problem-path' }, d.path),
          h('ul', { class: 'problem-messages' }, ...d.errors.map((m) => errorItem(undefined, m))),
        ),
      );
    }
    replaceChildren(this.top, ...items);
    this.top.hidden = items.length === 0;
  }
}

function section(title: string, path: string | undefined, body: HTMLElement): HTMLFieldSetElement {
  const errors = path === undefined ? null : h('ul', { class: 'field-errors', id: fieldId(`${path}-errors`) });
  return h('fieldset', { class: 'form-section', 'data-path': path }, h('legend', null, title), errors, body);
}

/** A labelled control with its error list; `path` (when given) is where 422 details land. */
function cell(path: string | undefined, label: string, control: HTMLElement, className = 'field'): HTMLDivElement {
  const errors = h('ul', { class: 'field-errors', id: `${control.id}-errors` });
  control.setAttribute('aria-describedby', errors.id);
  return h('div', { class: className, 'data-path': path }, h('label', { for: control.id }, label), control, errors);
}

/** Options are the known values; a current value outside them is kept, marked, for the server to judge. */
function selectElement(id: string, known: readonly string[], current: string, unsetLabel: string | undefined): HTMLSelectElement {
  const options = selectOptions(known, current);
  const select = h(
    'select',
    { id },
    unsetLabel === undefined ? null : h('option', { value: '' }, unsetLabel),
    ...options.map((o) => h('option', { value: o }, known.includes(o) ? o : `${o} (not known to this form)`)),
  );
  select.value = current;
  return select;
}

function errorItem(path: string | undefined, message: string): HTMLLIElement {
  const hint = ERROR_KEY_HINTS[message];
  return h(
    'li',
    null,
    path === undefined ? null : h('code', null, `${path}: `),
    message,
    hint === undefined ? null : h('span', { class: 'problem-hint' }, ` — ${hint}`),
  );
}

/** A DOM id from a path or name: `/portDefinitions(0)/name` → `app-form-portDefinitions-0-name`. */
function fieldId(name: string): string {
  return `app-form-${name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')}`;
}
