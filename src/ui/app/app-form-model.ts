/**
 * The app form's view of one Marathon app definition: which fields it shows, how its rows read
 * from and write back to the JSON object, and where a 422 detail's path lands in the form.
 *
 * The form edits the very object the JSON view shows. Every write touches only the field it is
 * about; anything the form does not know (`container`, `fetch`, a port's `labels`, a health
 * check's `command`, …) stays in the object as it was. Nothing here checks values: the server
 * is the authority and its 422 is shown at the field.
 */
import { normalisePath, parentPath } from './json-locate.js';

export type Definition = Record<string, unknown>;

/** Marathon's constraint operators (the server names them in its "operator must be one of" message). */
export const CONSTRAINT_OPERATORS = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'] as const;
export const HEALTH_CHECK_PROTOCOLS = ['MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP', 'HTTP', 'HTTPS', 'TCP', 'COMMAND'] as const;
export const PORT_PROTOCOLS = ['tcp', 'udp', 'udp,tcp'] as const;

export interface KeyValueRow {
  key: string;
  value: string;
}

export interface ConstraintRow {
  field: string;
  operator: string;
  value: string;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the JSON text into a definition the form can edit, or says why it cannot. */
export function parseDefinition(text: string): { definition: Definition } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'The JSON is not valid; fix it (see Problems) to use the form.' };
  }
  if (!isPlainObject(value)) return { problem: 'The app definition must be a JSON object to use the form.' };
  return { definition: value };
}

export function definitionText(definition: Definition): string {
  return `${JSON.stringify(definition, null, 2)}\n`;
}

/** A text input's value: '' removes the field (the server's default applies). */
export function setText(target: Record<string, unknown>, key: string, value: string): void {
  if (value === '') delete target[key];
  else target[key] = value;
}

/** A number input's value ('' when empty or not a number): '' removes the field. */
export function setNumber(target: Record<string, unknown>, key: string, value: string): void {
  if (value.trim() === '') delete target[key];
  else target[key] = Number(value);
}

/** What to show in a text input for `value`: strings and numbers as they are, anything else empty. */
export function shown(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/**
 * The string-valued members of an env or labels object as rows; other members (an env secret
 * reference `{ "secret": "…" }`) are not rows and are kept as they are. Undefined when the field
 * is not an object at all (the form then leaves it to the JSON view).
 */
export function keyValueRows(value: unknown): { rows: KeyValueRow[]; kept: Record<string, unknown> } | undefined {
  if (value === undefined) return { rows: [], kept: {} };
  if (!isPlainObject(value)) return undefined;
  const rows: KeyValueRow[] = [];
  const kept: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') rows.push({ key, value: v });
    else kept[key] = v;
  }
  return { rows, kept };
}

/**
 * Writes rows back as an object. Rows with neither key nor value are blank lines of the form, not
 * entries. An emptied section is sent as `{}`: a PUT keeps fields it does not name.
 */
export function writeKeyValueRows(definition: Definition, field: string, rows: readonly KeyValueRow[], kept: Record<string, unknown>): void {
  const out: Record<string, unknown> = { ...kept };
  for (const row of rows) if (row.key !== '' || row.value !== '') out[row.key] = row.value;
  definition[field] = out;
}

/** An array of objects (portDefinitions, healthChecks) the form can show as rows, or undefined. */
export function objectRows(value: unknown): Array<Record<string, unknown>> | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isPlainObject)) return undefined;
  return value;
}

/** Constraints as rows, or undefined when one is not a `[field, operator(, value)]` of strings. */
export function constraintRows(value: unknown): ConstraintRow[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  const rows: ConstraintRow[] = [];
  for (const c of value as unknown[]) {
    if (!isConstraint(c)) return undefined;
    const [field, operator, v = ''] = c;
    rows.push({ field, operator, value: v });
  }
  return rows;
}

function isConstraint(c: unknown): c is [string, string] | [string, string, string] {
  return Array.isArray(c) && c.length >= 2 && c.length <= 3 && c.every((part) => typeof part === 'string');
}

/** Each row as `[field, operator]`, or `[field, operator, value]` when a value is given. */
export function writeConstraintRows(definition: Definition, rows: readonly ConstraintRow[]): void {
  definition.constraints = rows.map((r) => (r.value === '' ? [r.field, r.operator] : [r.field, r.operator, r.value]));
}

/** The array field as an array the form may push to and splice (created when absent). */
export function rowsOf(definition: Definition, field: string): unknown[] {
  const current = definition[field];
  if (Array.isArray(current)) return current;
  const created: unknown[] = [];
  definition[field] = created;
  return created;
}

/** Options for a select: the known values, plus the current one if the server would have to judge it. */
export function selectOptions(known: readonly string[], current: string | undefined): string[] {
  return current === undefined || current === '' || known.includes(current) ? [...known] : [...known, current];
}

/**
 * Where a detail's path is shown: the path itself when the form has a place for it, else its
 * nearest ancestor that has one (`/healthChecks(0)/command` → the health check's row). Undefined
 * when only the root would do: such errors are listed at the top of the form.
 */
export function placeOfPath(path: string, hasPlace: (path: string) => boolean): string | undefined {
  let current = normalisePath(path);
  while (current !== '/') {
    if (hasPlace(current)) return current;
    current = parentPath(current);
  }
  return undefined;
}
