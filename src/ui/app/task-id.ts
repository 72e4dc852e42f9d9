/// <reference lib="dom" />
/**
 * Readable task ids. Marathon's ids repeat the app's path in every row
 * (`prod_web.instance-2f1a3b4c-0a1b-11ef-8e2d-0123456789ab._app.1`); what tells two tasks of one
 * app apart is the instance UUID, and of that mostly its first group (the low bits of a v1
 * UUID's timestamp). So the table shows the prefix elided and that group emphasised, keeps the
 * full id in a tooltip, and offers a button that copies it.
 */
import { notify } from './dialogs.js';
import { h } from './dom.js';

export interface TaskIdParts {
  /** The app's safe path and the instance marker, e.g. `prod_web.instance-`. */
  prefix: string;
  /** The part that differs between tasks: the UUID's first group (or the whole tail). */
  unique: string;
  /** The rest of the UUID and the container/incarnation suffix. */
  rest: string;
}

const UUID_TASK_ID = /^(.+?\.(?:instance-|marathon-)?)([0-9a-f]{8})(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}.*)$/i;

export function splitTaskId(taskId: string): TaskIdParts {
  const m = UUID_TASK_ID.exec(taskId);
  if (m !== null) return { prefix: m[1]!, unique: m[2]!, rest: m[3]! };
  const dot = taskId.indexOf('.');
  return dot >= 0 ? { prefix: taskId.slice(0, dot + 1), unique: taskId.slice(dot + 1), rest: '' } : { prefix: '', unique: taskId, rest: '' };
}

/** `prod_web.instance-…` -> `/prod/web` (Marathon's safe path: path segments joined by `_`). */
export function appIdOfTask(taskId: string): string | undefined {
  const dot = taskId.indexOf('.');
  if (dot <= 0) return undefined;
  const segments = taskId
    .slice(0, dot)
    .split('_')
    .filter((s) => s.length > 0);
  return segments.length === 0 ? undefined : `/${segments.join('/')}`;
}

/**
 * The id as the table shows it: `…` for the app prefix, the unique group, the rest dimmed (CSS
 * may cut it). With `full`, the prefix is shown too, dimmed (for a page about one task).
 */
export function readableTaskId(taskId: string, opts: { full?: boolean } = {}): HTMLElement {
  const { prefix, unique, rest } = splitTaskId(taskId);
  return h(
    'span',
    { class: 'task-id', title: taskId, 'data-task-id': taskId },
    // Screen readers get the full id once instead of the fragments.
    h('span', { class: 'visually-hidden' }, taskId),
    prefix === '' ? null : h('span', { class: 'task-id-prefix', 'aria-hidden': 'true' }, opts.full === true ? prefix : '…'),
    h('span', { class: 'task-id-unique', 'aria-hidden': 'true' }, unique),
    rest === '' ? null : h('span', { class: 'task-id-rest', 'aria-hidden': 'true' }, rest),
  );
}

/** A button that copies the full task id; it says so in a notice (and in its label for screen readers). */
export function copyTaskIdButton(taskId: string): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'btn ghost copy-id', title: `Copy the full task id ${taskId}`, 'aria-label': `Copy task id ${taskId}`, 'data-copy': taskId },
    copyIcon(),
  );
  button.addEventListener('click', () => {
    void copyText(taskId).then((ok) => {
      if (ok) notify('info', 'Copied ', h('code', null, taskId));
      else notify('error', 'Could not copy the task id; select it here: ', h('code', { class: 'selectable' }, taskId));
    });
  });
  return button;
}

/**
 * The Clipboard API where the page may use it (a secure context with permission); otherwise the
 * older copy command on a hidden text field, which works on plain-HTTP origins too.
 */
export async function copyText(text: string): Promise<boolean> {
  if (window.isSecureContext && 'clipboard' in navigator) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Denied or unavailable: fall back below.
    }
  }
  const field = h('textarea', { class: 'copy-buffer', readonly: true, 'aria-hidden': 'true', tabindex: -1 });
  field.value = text;
  const focused = document.activeElement;
  document.body.append(field);
  field.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  field.remove();
  if (focused instanceof HTMLElement) focused.focus();
  return copied;
}

const SVG = 'http://www.w3.org/2000/svg';

/** Two overlapping sheets, drawn rather than taken from a font that may lack a copy glyph. */
function copyIcon(): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const [x, y] of [
    [2, 2],
    [5, 5],
  ] as const) {
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('x', String(x));
    rect.setAttribute('y', String(y));
    rect.setAttribute('width', '9');
    rect.setAttribute('height', '9');
    rect.setAttribute('rx', '1.5');
    rect.setAttribute('fill', 'none');
    rect.setAttribute('stroke', 'currentColor');
    rect.setAttribute('stroke-width', '1.5');
    svg.append(rect);
  }
  return svg;
}
