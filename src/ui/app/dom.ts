/// <reference lib="dom" />
/** Tiny DOM helpers: build elements without innerHTML (no escaping mistakes), update only on change. */

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') el.className = String(value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function setAttr(el: Element, name: string, value: string | null): void {
  if (value === null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

export function setClass(el: Element, className: string): void {
  if (el.className !== className) el.className = className;
}

/** Href of the app page. App ids are absolute paths, so they read naturally after `#/apps`. */
export function appHref(appId: string): string {
  return `#/apps${appId.split('/').map(encodeURIComponent).join('/')}`;
}

/** Href of the pod page. */
export function podHref(podId: string): string {
  return `#/pods${podId.split('/').map(encodeURIComponent).join('/')}`;
}

export function editHref(appId: string): string {
  return `#/edit${appId.split('/').map(encodeURIComponent).join('/')}`;
}

/** Coalesces many render requests into one call per animation frame. */
export class FrameScheduler {
  private pending = false;

  constructor(private readonly render: () => void) {}

  request(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }
}
