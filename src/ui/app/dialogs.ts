/// <reference lib="dom" />
/**
 * Modal confirmations built on <dialog>: focus is trapped, Escape cancels, and the answer comes
 * back as a promise. Notices go to a polite live region so screen readers announce them.
 */
import { h, type Child } from './dom.js';

export interface ConfirmOptions {
  title: string;
  body: Child[];
  confirmLabel: string;
  danger?: boolean;
}

export function openDialog<T>(build: (dialog: HTMLDialogElement, close: (value: T) => void) => void, cancelValue: T): Promise<T> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'modal' });
    let settled = false;
    const close = (value: T): void => {
      if (settled) return;
      settled = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(cancelValue);
    });
    build(dialog, close);
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function confirmAction(opts: ConfirmOptions): Promise<boolean> {
  return openDialog<boolean>((dialog, close) => {
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const ok = h('button', { type: 'submit', class: opts.danger === true ? 'btn danger' : 'btn primary' }, opts.confirmLabel);
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', null, opts.title),
      h('div', { class: 'modal-body' }, ...opts.body),
      h('div', { class: 'modal-actions' }, cancel, ok),
    );
    cancel.addEventListener('click', () => close(false));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      close(true);
    });
    dialog.append(form);
    // The safe choice has focus, so Enter at 3 a.m. does not destroy anything.
    queueMicrotask(() => cancel.focus());
  }, false);
}

export interface NumberPromptOptions {
  title: string;
  label: string;
  initial: number;
  min: number;
  confirmLabel: string;
}

export function promptNumber(opts: NumberPromptOptions): Promise<number | undefined> {
  return openDialog<number | undefined>((dialog, close) => {
    const input = h('input', { type: 'number', min: opts.min, step: 1, value: opts.initial, required: true, id: 'prompt-number', inputmode: 'numeric' });
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const ok = h('button', { type: 'submit', class: 'btn primary' }, opts.confirmLabel);
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', null, opts.title),
      h('div', { class: 'modal-body' }, h('label', { for: 'prompt-number' }, opts.label), input),
      h('div', { class: 'modal-actions' }, cancel, ok),
    );
    cancel.addEventListener('click', () => close(undefined));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const n = Number(input.value);
      if (!Number.isInteger(n) || n < opts.min) {
        input.setCustomValidity(`Enter a whole number of at least ${opts.min}`);
        input.reportValidity();
        return;
      }
      close(n);
    });
    input.addEventListener('input', () => input.setCustomValidity(''));
    dialog.append(form);
    queueMicrotask(() => input.select());
  }, undefined);
}

export type NoticeKind = 'ok' | 'error' | 'info';

/** Shows a dismissible notice; success notices fade after a while, errors stay. */
export function notify(kind: NoticeKind, ...content: Child[]): void {
  const region = document.getElementById('notices');
  if (region === null) return;
  const close = h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss' }, '×');
  const notice = h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, h('div', { class: 'notice-text' }, ...content), close);
  close.addEventListener('click', () => notice.remove());
  region.prepend(notice);
  while (region.children.length > 3) region.lastElementChild?.remove();
  if (kind !== 'error') setTimeout(() => notice.remove(), 10_000);
}

export function setBusy(button: HTMLButtonElement, busy: boolean): void {
  button.disabled = busy;
  button.setAttribute('aria-busy', String(busy));
}
