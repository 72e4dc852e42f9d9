/// <reference lib="dom" />
/** An app's stored versions and a line diff between any two of them. */
import type { MarathonClient } from './api.js';
import { diffLines, withContext } from './diff.js';
import { h, replaceChildren } from './dom.js';
import { describeError } from './store.js';

export class VersionsPanel {
  readonly element: HTMLElement;
  private readonly older: HTMLSelectElement;
  private readonly newer: HTMLSelectElement;
  private readonly output: HTMLDivElement;
  private readonly cache = new Map<string, string>();
  private appId = '';
  private versions: string[] = [];
  private shown = '';

  constructor(private readonly api: MarathonClient) {
    this.older = h('select', { id: 'version-old', 'aria-label': 'Older version' });
    this.newer = h('select', { id: 'version-new', 'aria-label': 'Newer version' });
    this.output = h('div', { class: 'diff-output', 'aria-live': 'polite' });
    const onChange = (): void => void this.compare();
    this.older.addEventListener('change', onChange);
    this.newer.addEventListener('change', onChange);
    this.element = h(
      'section',
      { class: 'panel versions-panel', 'aria-labelledby': 'versions-title' },
      h('h2', { id: 'versions-title' }, 'Versions'),
      h('div', { class: 'version-pickers' }, h('label', { for: 'version-old' }, 'Compare'), this.older, h('label', { for: 'version-new' }, 'with'), this.newer),
      this.output,
    );
  }

  /** New list of versions (newest first, as Marathon returns them). */
  update(appId: string, versions: readonly string[]): void {
    if (appId !== this.appId) {
      this.appId = appId;
      this.cache.clear();
      this.shown = '';
    }
    const sorted = [...versions].sort().reverse();
    if (sorted.join() === this.versions.join()) return;
    // Selections that pointed at "the newest" / "the one before" keep following new versions.
    const followNew = this.newer.value === '' || this.newer.value === this.versions[0];
    const followOld = this.older.value === '' || this.older.value === this.versions[1];
    const keepNew = this.newer.value;
    const keepOld = this.older.value;
    this.versions = sorted;
    for (const select of [this.newer, this.older]) {
      replaceChildren(select, ...sorted.map((v, i) => h('option', { value: v }, i === 0 ? `${v} (current)` : v)));
    }
    this.newer.value = followNew || !sorted.includes(keepNew) ? (sorted[0] ?? '') : keepNew;
    this.older.value = followOld || !sorted.includes(keepOld) ? (sorted[1] ?? sorted[0] ?? '') : keepOld;
    void this.compare();
  }

  private async text(version: string): Promise<string> {
    const cached = this.cache.get(version);
    if (cached !== undefined) return cached;
    const text = JSON.stringify(await this.api.appVersion(this.appId, version), null, 2);
    this.cache.set(version, text);
    return text;
  }

  private async compare(): Promise<void> {
    const a = this.older.value;
    const b = this.newer.value;
    const key = `${a}|${b}`;
    if (key === this.shown) return;
    this.shown = key;
    if (this.versions.length < 2 || a === '' || b === '') {
      replaceChildren(this.output, h('p', { class: 'muted' }, 'Only one version so far: changes to the app will be compared here.'));
      return;
    }
    try {
      const [oldText, newText] = await Promise.all([this.text(a), this.text(b)]);
      if (this.shown !== key) return;
      replaceChildren(this.output, renderDiff(oldText, newText));
    } catch (err) {
      this.shown = '';
      replaceChildren(this.output, h('p', { class: 'problem' }, `Cannot load versions: ${describeError(err)}`));
    }
  }
}

function renderDiff(oldText: string, newText: string): HTMLElement {
  const lines = diffLines(oldText, newText);
  const changed = lines.filter((l) => l.op !== 'same').length;
  if (changed === 0) return h('p', { class: 'muted' }, 'The two versions are identical.');
  const rows = withContext(lines, 3).map((l) => {
    if (l.op === 'skip')
      return h(
        'div',
        { class: 'diff-line gap' },
        h('span', { class: 'ln' }),
        h('span', { class: 'ln' }),
        h('span', { class: 'txt' }, `⋯ ${l.count} unchanged lines`),
      );
    const sign = l.op === 'added' ? '+' : l.op === 'removed' ? '−' : ' ';
    return h(
      'div',
      { class: `diff-line ${l.op}` },
      h('span', { class: 'ln' }, l.oldLine ?? ''),
      h('span', { class: 'ln' }, l.newLine ?? ''),
      h('span', { class: 'txt' }, `${sign} ${l.text}`),
    );
  });
  const added = lines.filter((l) => l.op === 'added').length;
  return h(
    'div',
    null,
    h('p', { class: 'diff-stats' }, h('span', { class: 'n-added' }, `+${added}`), ' ', h('span', { class: 'n-removed' }, `−${changed - added}`), ' lines'),
    h('div', { class: 'diff', 'aria-label': 'Differences between versions' }, ...rows),
  );
}
