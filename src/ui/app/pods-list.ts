/// <reference lib="dom" />
/** The pods of the overview: one row per pod with its containers, its instances and their states. */
import { fill, progressText } from './cells.js';
import { h, podHref, replaceChildren, setText } from './dom.js';
import { formatCpus, formatMem } from './format.js';
import type { PodStatus } from './marathon-types.js';
import { podCounts, podInstanceResources } from './status.js';
import type { Store } from './store.js';

/** STABLE / DEGRADED / TERMINAL as a badge (Marathon's PodState; `Deploying` while a deployment runs). */
export function podStatusBadge(status: string | undefined, deploying = false): HTMLSpanElement {
  const word = deploying ? 'Deploying' : (status ?? 'UNKNOWN').charAt(0) + (status ?? 'UNKNOWN').slice(1).toLowerCase();
  const cls = deploying ? 'status-deploying' : `pod-status-${(status ?? 'unknown').toLowerCase()}`;
  return h('span', { class: `badge ${cls}` }, h('span', { class: 'dot', 'aria-hidden': 'true' }), word);
}

/** `2 of 3 stable`, plus how many are starting or degraded. */
export function podInstancesText(pod: PodStatus): string {
  const c = podCounts(pod);
  const extra = [c.starting > 0 ? `${c.starting} starting` : '', c.degraded > 0 ? `${c.degraded} degraded` : ''].filter((s) => s !== '');
  return `${c.stable} of ${c.target} stable${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
}

export class PodsList {
  readonly element: HTMLElement;
  private readonly heading: HTMLHeadingElement;
  private readonly body: HTMLTableSectionElement;
  private readonly problem: HTMLDivElement;
  private readonly empty: HTMLParagraphElement;
  private signature = '';

  constructor(private readonly store: Store) {
    this.heading = h('h2', { id: 'pods-title' }, 'Pods');
    this.body = h('tbody');
    this.problem = h('div', { class: 'problem', role: 'alert', hidden: true });
    this.empty = h('p', { class: 'muted', hidden: true }, 'No pods.');
    const head = h(
      'thead',
      null,
      h('tr', null, ...['Pod', 'Status', 'Instances', 'Containers', 'CPUs', 'Memory', 'Deployment'].map((t) => h('th', { scope: 'col' }, t))),
    );
    this.element = h(
      'section',
      { class: 'panel pods-panel', 'aria-labelledby': 'pods-title' },
      this.heading,
      this.problem,
      this.empty,
      h('table', { class: 'grid pods-table', 'aria-labelledby': 'pods-title' }, head, this.body),
    );
  }

  render(): void {
    const pods = this.store.pods;
    const error = this.store.podsError;
    this.problem.hidden = error === undefined;
    if (error !== undefined) fill(this.problem, error, () => [h('strong', null, 'Cannot load pods. '), error]);
    setText(this.heading, `Pods (${pods.length})`);
    this.empty.hidden = pods.length > 0 || error !== undefined;
    const progress = this.store.podProgress;
    const signature = JSON.stringify([pods, [...progress]]);
    if (signature === this.signature) return;
    this.signature = signature;
    replaceChildren(
      this.body,
      ...pods.map((pod) => {
        const p = progress.get(pod.id);
        const res = podInstanceResources(pod.spec);
        const containers = (pod.spec?.containers ?? []).map((c) => c.name);
        return h(
          'tr',
          { 'data-pod-id': pod.id },
          h('td', { class: 'col-id' }, h('a', { href: podHref(pod.id), class: 'app-link', title: pod.id }, pod.id)),
          h('td', null, podStatusBadge(pod.status, p !== undefined)),
          h('td', { class: 'pod-instances' }, podInstancesText(pod)),
          h('td', { class: 'pod-containers' }, ...containers.flatMap((name, i) => [i > 0 ? ' ' : null, h('span', { class: 'chip mono' }, name)])),
          h('td', { class: 'col-num' }, formatCpus(res.cpus)),
          h('td', { class: 'col-num' }, formatMem(res.mem)),
          h('td', null, p === undefined ? '' : progressText(p.currentStep, p.totalSteps)),
        );
      }),
    );
  }
}
