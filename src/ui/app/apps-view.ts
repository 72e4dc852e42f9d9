/// <reference lib="dom" />
/**
 * The apps overview and the group pages: a virtualised table listing a group's sub-groups as
 * folders (with their totals) before its own apps, then the pods. The root group is `#/apps`;
 * `#/groups/<path>` shows one group with a breadcrumb back up and the group's actions. A filter
 * searches every app below the group by id and status, flat.
 */
import type { MarathonClient } from './api.js';
import { fill, healthSummary, progressText, statusBadge } from './cells.js';
import { appHref, h, replaceChildren, setText } from './dom.js';
import { formatCpus, formatMem } from './format.js';
import { runGroupAction, type GroupAction } from './group-actions.js';
import { breadcrumbOf, groupHref, groupLevel, parentGroupOf, relativeName, ROOT_GROUP, type FolderSummary, type GroupLevel } from './group-tree.js';
import { PodsList } from './pods-list.js';
import { healthCounts, matchesFilter, type AppStatus, type HealthCounts } from './status.js';
import type { AppRow, Store } from './store.js';
import { VirtualTable } from './virtual-table.js';

/** A row of the listing: a sub-group (folder) or an app. */
type ListRow = { kind: 'folder'; folder: FolderSummary } | { kind: 'app'; row: AppRow; name: string };

interface RowFacts {
  status: AppStatus;
  running: number;
  instances: number;
  health: HealthCounts;
}

function factsOf(r: ListRow): RowFacts {
  if (r.kind === 'folder') return { status: r.folder.status, running: r.folder.tasksRunning, instances: r.folder.instances, health: r.folder.health };
  const { app } = r.row;
  return { status: r.row.status, running: app.tasksRunning ?? 0, instances: app.instances ?? 0, health: healthCounts(app) };
}

export class AppsView {
  readonly element: HTMLElement;
  private readonly table: VirtualTable<ListRow>;
  private readonly filterInput: HTMLInputElement;
  private readonly summary: HTMLParagraphElement;
  private readonly problem: HTMLDivElement;
  private readonly pods: PodsList;
  private readonly crumbs: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly groupActions: HTMLDivElement;
  private filter = '';
  private groupId = ROOT_GROUP;
  /** The level computed for `levelOf` (the store's rows map and group ids, replaced on every refresh) and `groupId`. */
  private level: GroupLevel = { folders: [], apps: [], below: [] };
  private levelOf: { rows: Map<string, AppRow>; groupIds: string[]; groupId: string } | undefined;

  constructor(
    private readonly store: Store,
    requestRender: () => void,
    private readonly api?: MarathonClient,
  ) {
    this.table = new VirtualTable<ListRow>({
      label: 'Applications',
      rowHeight: 44,
      emptyText: '',
      keyOf: (r) => (r.kind === 'folder' ? `${r.folder.id}/` : r.row.app.id),
      columns: [
        {
          header: 'Application',
          className: 'col-id',
          render: (cell, r) => {
            if (r.kind === 'folder') {
              const f = r.folder;
              fill(cell, `folder|${f.id}|${f.apps}`, () => [
                h(
                  'a',
                  { href: groupHref(f.id), class: 'app-link folder-link', title: f.id },
                  h('span', { class: 'folder-icon', 'aria-hidden': 'true' }),
                  h('span', { class: 'folder-name' }, f.name),
                ),
                h('span', { class: 'folder-count' }, `${f.apps} ${f.apps === 1 ? 'app' : 'apps'}`),
              ]);
            } else {
              const id = r.row.app.id;
              fill(cell, `app|${id}|${r.name}`, () => h('a', { href: appHref(id), class: 'app-link', title: id }, r.name));
            }
          },
        },
        {
          header: 'Status',
          className: 'col-status',
          render: (cell, r) => {
            // A group without apps has no status to show.
            const status = r.kind === 'folder' && r.folder.apps === 0 ? '' : factsOf(r).status;
            fill(cell, status, () => (status === '' ? '' : statusBadge(status)));
          },
        },
        {
          header: 'Running',
          className: 'col-num',
          render: (cell, r) => {
            const f = factsOf(r);
            setText(cell, `${f.running} / ${f.instances}`);
          },
        },
        {
          header: 'Health',
          className: 'col-health',
          render: (cell, r) => {
            const { health: c, instances } = factsOf(r);
            fill(cell, `${c.healthy}/${c.unhealthy}/${c.unknown}/${c.staged}/${instances}`, () => healthSummary(c, instances));
          },
        },
        {
          header: 'CPUs',
          className: 'col-num',
          render: (cell, r) => setText(cell, r.kind === 'folder' ? `${formatCpus(r.folder.totalCpus)} total` : formatCpus(r.row.app.cpus)),
        },
        {
          header: 'Memory',
          className: 'col-num',
          render: (cell, r) => setText(cell, r.kind === 'folder' ? `${formatMem(r.folder.totalMem)} total` : formatMem(r.row.app.mem)),
        },
        {
          header: 'Deployment',
          className: 'col-deploy',
          render: (cell, r) => {
            const p = r.kind === 'app' ? r.row.progress : undefined;
            fill(cell, p === undefined ? '' : `${p.currentStep}/${p.totalSteps}`, () => (p === undefined ? '' : progressText(p.currentStep, p.totalSteps)));
          },
        },
      ],
    });
    this.filterInput = h('input', {
      type: 'search',
      id: 'app-filter',
      placeholder: 'Filter by id or status…  (press / to focus)',
      'aria-label': 'Filter applications',
      autocomplete: 'off',
      spellcheck: 'false',
    });
    this.filterInput.addEventListener('input', () => {
      this.filter = this.filterInput.value;
      requestRender();
    });
    this.summary = h('p', { class: 'summary', 'aria-live': 'polite' });
    this.problem = h('div', { class: 'problem', role: 'alert', hidden: true });
    this.pods = new PodsList(store);
    this.crumbs = h('nav', { class: 'crumbs group-crumbs', 'aria-label': 'Breadcrumb', hidden: true });
    this.title = h('h1', { id: 'apps-title' }, 'Applications');
    const scale = h('button', { type: 'button', class: 'btn' }, 'Scale');
    const remove = h('button', { type: 'button', class: 'btn danger' }, 'Delete');
    scale.addEventListener('click', () => void this.act('scale'));
    remove.addEventListener('click', () => void this.act('delete'));
    this.groupActions = h('div', { class: 'actions group-actions', role: 'group', 'aria-label': 'Group actions', hidden: true }, scale, remove);
    this.element = h(
      'section',
      { class: 'view apps-view', 'aria-labelledby': 'apps-title' },
      this.crumbs,
      h(
        'div',
        { class: 'view-head' },
        this.title,
        h('div', { class: 'actions' }, this.groupActions, h('a', { class: 'btn primary', href: '#/new' }, 'Create application')),
      ),
      h('div', { class: 'toolbar' }, this.filterInput, this.summary),
      this.problem,
      this.table.element,
      this.pods.element,
    );
  }

  focusFilter(): void {
    this.filterInput.focus();
  }

  /** Shows the group `groupId` (`/` is the overview of every app). */
  showGroup(groupId: string): void {
    if (groupId === this.groupId) return;
    this.groupId = groupId;
    const root = groupId === ROOT_GROUP;
    setText(this.title, root ? 'Applications' : groupId);
    this.crumbs.hidden = root;
    this.groupActions.hidden = root || this.api === undefined;
    this.pods.element.hidden = !root;
    const trail = breadcrumbOf(groupId);
    replaceChildren(
      this.crumbs,
      h(
        'ol',
        null,
        ...trail.map((c, i) =>
          h('li', null, i === trail.length - 1 ? h('span', { 'aria-current': 'page' }, c.label) : h('a', { href: groupHref(c.id) }, c.label)),
        ),
      ),
    );
  }

  render(): void {
    const level = this.currentLevel();
    const counts = new Map<string, number>();
    for (const row of level.below) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
    let rows: ListRow[];
    let shown: number;
    if (!this.store.listLoaded) {
      // Until the first app list arrives, group ids alone would show folders of 0 apps.
      rows = [];
      shown = 0;
    } else if (this.filter.trim() === '') {
      // The tree: sub-groups first, then the group's own apps by their name in the group.
      rows = [
        ...level.folders.map((folder): ListRow => ({ kind: 'folder', folder })),
        ...level.apps.map((row): ListRow => ({ kind: 'app', row, name: relativeName(row.app.id, this.groupId) })),
      ];
      shown = level.below.length;
    } else {
      rows = level.below.filter((r) => matchesFilter(r.app, r.status, this.filter)).map((row): ListRow => ({ kind: 'app', row, name: row.app.id }));
      shown = rows.length;
    }
    this.table.setRows(rows);
    this.renderEmpty(level);
    this.table.render();
    if (this.groupId === ROOT_GROUP) this.pods.render();
    const total = level.below.length;
    const breakdown = [...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ');
    setText(
      this.summary,
      !this.store.listLoaded
        ? 'Loading…'
        : `${shown === total ? total : `${shown} of ${total}`} ${total === 1 ? 'app' : 'apps'}${breakdown ? ` — ${breakdown}` : ''}`,
    );
    this.problem.hidden = this.store.listError === undefined;
    const error = this.store.listError;
    if (error !== undefined) fill(this.problem, error, () => [h('strong', null, 'Cannot load applications. '), error]);
  }

  /** Facts for the group dialogs, from the same snapshot the page shows. */
  private async act(action: GroupAction): Promise<void> {
    if (this.api === undefined || this.groupId === ROOT_GROUP) return;
    const groupId = this.groupId;
    const below = this.currentLevel().below;
    const result = await runGroupAction(this.api, action, {
      id: groupId,
      instances: below.map((r) => r.app.instances ?? 0),
      tasksRunning: below.reduce((sum, r) => sum + (r.app.tasksRunning ?? 0), 0),
      pods: this.store.pods.filter((p) => p.id.startsWith(`${groupId}/`)).length,
    });
    if (result === undefined) return;
    if (action === 'delete') location.hash = groupHref(parentGroupOf(groupId));
    void this.store.refreshNow();
  }

  private currentLevel(): GroupLevel {
    const { rows, groupIds } = this.store;
    if (this.levelOf?.rows !== rows || this.levelOf.groupIds !== groupIds || this.levelOf.groupId !== this.groupId) {
      this.level = groupLevel(
        this.store.order.map((id) => rows.get(id)!),
        this.groupId,
        groupIds,
      );
      this.levelOf = { rows, groupIds, groupId: this.groupId };
    }
    return this.level;
  }

  /**
   * What an empty table says: nothing until the first answer of /v2/apps (a loading state), then
   * whether there are no apps at all (pointing to Create), none in this group, or none matching.
   */
  private renderEmpty(level: GroupLevel): void {
    const empty = this.table.empty;
    if (!this.store.listLoaded) {
      const failed = this.store.listError !== undefined;
      fill(empty, failed ? 'failed' : 'loading', () =>
        failed ? 'Applications could not be loaded yet.' : h('span', { class: 'loading', role: 'status' }, 'Loading applications…'),
      );
    } else if (this.store.order.length === 0) {
      fill(empty, 'none', () => ['No applications yet. ', h('a', { href: '#/new', class: 'empty-create' }, 'Create'), ' one to get started.']);
    } else if (level.below.length === 0 && level.folders.length === 0) {
      const known = this.store.groupIds.includes(this.groupId);
      const text = known || !this.store.groupsLoaded ? `No applications in ${this.groupId}. ` : `Group ${this.groupId} does not exist (any more). `;
      fill(empty, text, () => [text, h('a', { href: groupHref(parentGroupOf(this.groupId)) }, 'Up to the parent group')]);
    } else {
      fill(empty, 'no-match', () => 'No applications match.');
    }
  }
}
