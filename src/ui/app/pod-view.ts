/// <reference lib="dom" />
/** One pod: scale and destroy, its containers, and every instance with the state of each container. */
import type { PodAction } from './actions.js';
import { fill, progressText } from './cells.js';
import { h, replaceChildren, setText } from './dom.js';
import { ago, formatCpus, formatMem } from './format.js';
import type { Pod, PodContainerStatus, PodInstanceStatus } from './marathon-types.js';
import { podInstanceResources } from './status.js';
import { podInstancesText, podStatusBadge } from './pods-list.js';
import type { Store } from './store.js';

export interface PodViewHooks {
  onAction(action: PodAction): void;
}

type PodContainerSpec = NonNullable<Pod['containers']>[number];

function commandOf(c: PodContainerSpec): string {
  const cmd = c.exec?.command;
  if (typeof cmd?.shell === 'string') return cmd.shell;
  if (Array.isArray(cmd?.argv)) return cmd.argv.join(' ');
  return c.image?.id === undefined ? '–' : `(image ${c.image.id})`;
}

function endpointsOf(c: PodContainerSpec): string {
  const endpoints = c.endpoints ?? [];
  if (endpoints.length === 0) return '–';
  return endpoints
    .map(
      (e) =>
        `${e.name}${e.containerPort === undefined ? '' : ` :${e.containerPort}`}${e.hostPort === undefined ? '' : ` host ${e.hostPort === 0 ? 'any' : e.hostPort}`}`,
    )
    .join(', ');
}

/** healthy / unhealthy from the endpoints' verdicts (Marathon's ContainerEndpointStatus), else unknown. */
function containerHealth(c: PodContainerStatus): 'healthy' | 'unhealthy' | 'unknown' {
  const known = (c.endpoints ?? []).filter((e) => e.healthy !== undefined);
  if (known.length > 0) return known.every((e) => e.healthy === true) ? 'healthy' : 'unhealthy';
  const condition = (c.conditions ?? []).find((cond) => cond.name === 'healthy');
  if (condition?.value === 'true') return 'healthy';
  if (condition?.value === 'false') return 'unhealthy';
  return 'unknown';
}

function stateCell(state: string | undefined): HTMLSpanElement {
  const s = state ?? 'TASK_STAGING';
  return h('span', { class: `state state-${s.toLowerCase().replace('task_', '')}` }, s.replace('TASK_', ''));
}

export class PodView {
  readonly element: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly badge: HTMLSpanElement;
  private readonly facts: HTMLParagraphElement;
  private readonly notice: HTMLDivElement;
  private readonly containers: HTMLTableSectionElement;
  private readonly instancesHeading: HTMLHeadingElement;
  private readonly instances: HTMLTableSectionElement;
  private readonly config: HTMLPreElement;
  private readonly body: HTMLDivElement;
  private signature = '';

  constructor(
    private readonly store: Store,
    hooks: PodViewHooks,
  ) {
    this.title = h('h1', { id: 'pod-title' });
    this.badge = h('span');
    this.facts = h('p', { class: 'app-facts' });
    const actions = h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'Pod actions' },
      h('button', { type: 'button', class: 'btn', 'data-action': 'scale' }, 'Scale'),
      h('button', { type: 'button', class: 'btn danger', 'data-action': 'destroy' }, 'Destroy'),
    );
    actions.addEventListener('click', (e) => {
      const button = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
      if (button?.dataset.action === 'scale') hooks.onAction({ kind: 'scale' });
      if (button?.dataset.action === 'destroy') hooks.onAction({ kind: 'destroy' });
    });
    this.notice = h('div', { class: 'problem', role: 'alert', hidden: true });
    this.containers = h('tbody');
    this.instancesHeading = h('h2', { id: 'instances-title' }, 'Instances');
    this.instances = h('tbody');
    this.instances.addEventListener('click', (e) => {
      const button = (e.target as Element).closest<HTMLButtonElement>('button[data-kill]');
      if (button?.dataset.kill !== undefined) hooks.onAction({ kind: 'kill', instanceId: button.dataset.kill });
    });
    this.config = h('pre', { class: 'config mono' });
    const th = (...titles: string[]): HTMLTableSectionElement => h('thead', null, h('tr', null, ...titles.map((t) => h('th', { scope: 'col' }, t))));
    this.body = h(
      'div',
      null,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'containers-title' },
        h('h2', { id: 'containers-title' }, 'Containers'),
        h(
          'table',
          { class: 'grid pods-table', 'aria-labelledby': 'containers-title' },
          th('Container', 'Command', 'CPUs', 'Memory', 'Endpoints'),
          this.containers,
        ),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'instances-title' },
        this.instancesHeading,
        h(
          'table',
          { class: 'grid pods-table instances-table', 'aria-labelledby': 'instances-title' },
          th('Instance', 'Status', 'Agent', 'Container', 'State', 'Endpoints', 'Health', 'Since', ''),
          this.instances,
        ),
      ),
      h('section', { class: 'panel' }, h('details', null, h('summary', null, h('h2', null, 'Configuration')), this.config)),
    );
    this.element = h(
      'section',
      { class: 'view pod-view', 'aria-labelledby': 'pod-title' },
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/apps' }, 'Applications'), ' / pods / '),
      h('div', { class: 'view-head' }, h('div', { class: 'title-line' }, this.title, this.badge), actions),
      this.facts,
      this.notice,
      this.body,
    );
  }

  render(): void {
    const detail = this.store.podDetail;
    if (detail === undefined) return;
    setText(this.title, detail.podId);
    this.notice.hidden = !detail.missing && detail.error === undefined;
    if (detail.missing)
      fill(this.notice, 'missing', () => [`Pod ${detail.podId} does not exist (any more). `, h('a', { href: '#/apps' }, 'Back to all applications')]);
    else if (detail.error !== undefined) fill(this.notice, detail.error, () => detail.error ?? '');
    this.body.hidden = detail.missing;
    const pod = detail.status ?? this.store.pods.find((p) => p.id === detail.podId);
    if (pod === undefined) return;
    const progress = this.store.podProgress.get(pod.id);
    const now = Date.now();
    const signature = JSON.stringify([pod, progress, Math.floor(now / 10_000)]);
    if (signature === this.signature) return;
    this.signature = signature;

    replaceChildren(this.badge, podStatusBadge(pod.status, progress !== undefined));
    const res = podInstanceResources(pod.spec);
    replaceChildren(
      this.facts,
      h('span', { class: 'fact' }, h('strong', { 'data-testid': 'pod-instances' }, podInstancesText(pod))),
      h('span', { class: 'fact' }, `${formatCpus(res.cpus)} CPUs · ${formatMem(res.mem)} per instance (with the executor)`),
      progress === undefined
        ? null
        : h(
            'span',
            { class: 'fact' },
            'Deploying ',
            progressText(progress.currentStep, progress.totalSteps),
            ' ',
            h('code', { class: 'deployment-id' }, progress.deploymentId),
          ),
      pod.message === undefined ? null : h('span', { class: 'fact' }, pod.message),
    );

    replaceChildren(
      this.containers,
      ...(pod.spec?.containers ?? []).map((c) =>
        h(
          'tr',
          { 'data-container': c.name },
          h('td', { class: 'mono' }, c.name),
          h('td', { class: 'mono pod-command', title: commandOf(c) }, commandOf(c)),
          h('td', { class: 'col-num' }, formatCpus(c.resources?.cpus)),
          h('td', { class: 'col-num' }, formatMem(c.resources?.mem)),
          h('td', { class: 'mono' }, endpointsOf(c)),
        ),
      ),
    );

    const instances = [...(pod.instances ?? [])].sort((a, b) => a.id.localeCompare(b.id));
    setText(this.instancesHeading, `Instances (${instances.length})`);
    replaceChildren(
      this.instances,
      ...(instances.length === 0
        ? [h('tr', null, h('td', { colspan: 9, class: 'muted' }, 'No instances.'))]
        : instances.flatMap((i) => this.instanceRows(i, pod.spec, now))),
    );

    const { version: _v, ...definition } = pod.spec ?? { id: pod.id };
    setText(this.config, JSON.stringify(definition, null, 2));
  }

  /** One row per container; the instance's own cells span them all. */
  private instanceRows(instance: PodInstanceStatus, spec: Pod | undefined, now: number): HTMLTableRowElement[] {
    const containers = instance.containers ?? [];
    const span = Math.max(containers.length, 1);
    const head = [
      h('td', { class: 'mono', rowspan: span, title: instance.id }, instance.id),
      h('td', { rowspan: span }, podStatusBadge(instance.status)),
      h('td', { rowspan: span }, instance.agentHostname ?? '–'),
    ];
    const kill = h(
      'td',
      { rowspan: span },
      h('button', { type: 'button', class: 'btn small danger', 'data-kill': instance.id, 'aria-label': `Kill ${instance.id}` }, 'Kill'),
    );
    if (containers.length === 0)
      return [h('tr', { 'data-instance': instance.id }, ...head, h('td', { colspan: 5, class: 'muted' }, 'No containers yet.'), kill)];
    return containers.map((c, i) => {
      const ports = (c.endpoints ?? []).map((e) => `${e.name}${e.allocatedHostPort === undefined ? '' : `:${e.allocatedHostPort}`}`).join(', ') || '–';
      // A container without a health check has no verdict to show.
      const checked = spec?.containers?.find((sc) => sc.name === c.name)?.healthCheck !== undefined;
      const health = checked ? containerHealth(c) : undefined;
      const cells = [
        h('td', { class: 'mono' }, c.name),
        h('td', null, stateCell(c.status)),
        h('td', { class: 'mono' }, ports),
        h('td', null, health === undefined ? h('span', { class: 'muted' }, '–') : h('span', { class: `task-health ${health}` }, health)),
        h('td', null, h('time', { datetime: c.statusSince ?? undefined, title: c.statusSince ?? undefined }, ago(c.statusSince, now))),
      ];
      return h('tr', { 'data-instance': instance.id, 'data-container': c.name }, ...(i === 0 ? head : []), ...cells, ...(i === 0 ? [kill] : []));
    });
  }
}
