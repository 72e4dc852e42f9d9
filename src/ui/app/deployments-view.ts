/// <reference lib="dom" />
/**
 * `#/deployments`: every running deployment with the apps and pods it touches, its steps (each a
 * set of actions run together), where it is and how far, and the two ways to end it: cancel (a new
 * deployment rolls the change back) and stop (it ends where it is, the new definitions stay).
 * Deployments are read with the overview, which the event stream refreshes on every
 * deployment_info/_step_success/_success/_failed event.
 */
import { announce } from './actions.js';
import type { MarathonClient } from './api.js';
import { fill } from './cells.js';
import { confirmAction, notify, setBusy } from './dialogs.js';
import { appHref, h, podHref, replaceChildren, setText, type Child } from './dom.js';
import { ago } from './format.js';
import type { Deployment, DeploymentAction } from './marathon-types.js';
import { describeError, type Store } from './store.js';

/** What a step's action does, in an operator's words (Marathon's action names stay visible as codes). */
const ACTION_WORDS: Record<string, string> = {
  StartApplication: 'Start',
  ScaleApplication: 'Scale',
  RestartApplication: 'Restart',
  StopApplication: 'Stop',
  ResolveArtifacts: 'Fetch artifacts',
  StartPod: 'Start pod',
  ScalePod: 'Scale pod',
  RestartPod: 'Restart pod',
  StopPod: 'Stop pod',
};

/** The apps and pods a deployment touches: its affected lists plus whatever its steps name. */
export function deploymentTargets(d: Deployment): { apps: string[]; pods: string[] } {
  const apps = new Set(d.affectedApps ?? []);
  const pods = new Set(d.affectedPods ?? []);
  for (const step of d.steps ?? []) {
    for (const a of step.actions) {
      if (a.app !== undefined) apps.add(a.app);
      if (a.pod !== undefined) pods.add(a.pod);
    }
  }
  return { apps: [...apps].sort(), pods: [...pods].sort() };
}

/** Marathon's currentStep is 1-based while a step runs and 0 before the first one starts. */
export function stepState(index: number, currentStep: number): 'done' | 'current' | 'pending' {
  if (index < currentStep - 1) return 'done';
  return index === currentStep - 1 ? 'current' : 'pending';
}

export type DeploymentEnd = 'rollback' | 'force';

interface Card {
  element: HTMLElement;
  progress: HTMLElement;
  body: HTMLElement;
  version: HTMLElement;
  cancel: HTMLButtonElement;
  stop: HTMLButtonElement;
  deployment: Deployment;
}

export class DeploymentsView {
  readonly element: HTMLElement;
  private readonly summary: HTMLParagraphElement;
  private readonly problem: HTMLDivElement;
  private readonly empty: HTMLParagraphElement;
  private readonly list: HTMLElement;
  private readonly cards = new Map<string, Card>();

  constructor(
    private readonly store: Store,
    private readonly api: MarathonClient,
  ) {
    this.summary = h('p', { class: 'summary', 'aria-live': 'polite' }, 'Loading…');
    this.problem = h('div', { class: 'problem', role: 'alert', hidden: true });
    this.empty = h('p', { class: 'panel empty dq-empty', hidden: true }, 'No deployment is running.');
    this.list = h('div', { class: 'dq-cards' });
    this.element = h(
      'section',
      { class: 'view deployments-view', 'aria-labelledby': 'deployments-title' },
      h('div', { class: 'view-head' }, h('h1', { id: 'deployments-title' }, 'Deployments')),
      h('div', { class: 'toolbar' }, this.summary),
      this.problem,
      this.empty,
      this.list,
    );
  }

  render(): void {
    const loaded = this.store.listLoaded;
    const deployments = this.store.deployments;
    const error = this.store.listError;
    this.problem.hidden = error === undefined;
    if (error !== undefined) fill(this.problem, error, () => [h('strong', null, 'Cannot load deployments. '), error]);
    // "None running" only once we know: not while the first load is still on its way.
    this.empty.hidden = !loaded || deployments.length > 0;
    setText(
      this.summary,
      !loaded ? 'Loading…' : deployments.length === 0 ? '' : `${deployments.length} running ${deployments.length === 1 ? 'deployment' : 'deployments'}`,
    );

    const seen = new Set<string>();
    const ordered: HTMLElement[] = [];
    for (const d of deployments) {
      seen.add(d.id);
      let card = this.cards.get(d.id);
      if (card === undefined) {
        card = this.createCard(d);
        this.cards.set(d.id, card);
      }
      card.deployment = d;
      this.updateCard(card);
      ordered.push(card.element);
    }
    for (const [id, card] of this.cards) {
      if (seen.has(id)) continue;
      card.element.remove();
      this.cards.delete(id);
    }
    // Reorder only when the order changed, so focus and hover survive refreshes.
    const current = Array.from(this.list.children);
    if (current.length !== ordered.length || ordered.some((el, i) => current[i] !== el)) replaceChildren(this.list, ...ordered);
  }

  private createCard(d: Deployment): Card {
    const titleId = `deployment-${d.id}`;
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel (roll back)');
    const stop = h('button', { type: 'button', class: 'btn danger' }, 'Stop (force)');
    cancel.setAttribute('aria-label', `Cancel deployment ${d.id} and roll back`);
    stop.setAttribute('aria-label', `Stop deployment ${d.id} without rollback`);
    const version = h('span', { class: 'muted' });
    const progress = h('div', { class: 'dq-progress' });
    const body = h('div', { class: 'dq-body' });
    const element = h(
      'article',
      { class: 'panel dq-card deployment-card', 'data-deployment-id': d.id, 'aria-labelledby': titleId },
      h(
        'header',
        { class: 'dq-card-head' },
        h('div', null, h('h2', { id: titleId, class: 'mono dq-title' }, d.id), version),
        h('div', { class: 'actions', role: 'group', 'aria-label': `Deployment ${d.id} actions` }, cancel, stop),
      ),
      progress,
      body,
    );
    const card: Card = { element, progress, body, version, cancel, stop, deployment: d };
    cancel.addEventListener('click', () => void this.end(card, 'rollback'));
    stop.addEventListener('click', () => void this.end(card, 'force'));
    return card;
  }

  private updateCard(card: Card): void {
    const d = card.deployment;
    const total = d.totalSteps ?? d.steps?.length ?? 0;
    const current = d.currentStep ?? 0;
    const now = Date.now();
    fill(card.version, `${d.version ?? ''}/${Math.floor(now / 10_000)}`, () =>
      d.version === undefined ? '' : h('span', { title: d.version }, `version ${d.version} · started ${ago(d.version, now)}`),
    );
    const running = current > 0 ? this.stepFraction(d.steps?.[current - 1]?.actions ?? []) : 0;
    const done = Math.max(0, current - 1) + running;
    fill(card.progress, `${current}/${total}/${done}`, () => {
      const label = total === 0 ? 'No steps' : `Step ${current} of ${total}`;
      return [
        h('progress', {
          max: Math.max(total, 1),
          value: done,
          'aria-label': `Deployment ${d.id}: ${label}`,
          title: `${Math.round((100 * done) / Math.max(total, 1))}% done`,
        }),
        h('span', { class: 'dq-step-count' }, label),
      ];
    });
    const { apps, pods } = deploymentTargets(d);
    const counts = apps.map((id) => this.instancesOf({ action: '', app: id }) ?? '');
    fill(card.body, JSON.stringify([apps, pods, d.steps, d.currentActions, current, counts]), () => [
      h(
        'div',
        { class: 'dq-affected' },
        h('span', { class: 'muted' }, 'Affects '),
        ...apps.map((id) => h('a', { href: appHref(id), class: 'app-link dq-target' }, id)),
        ...pods.map((id) => h('a', { href: podHref(id), class: 'app-link dq-target' }, id, h('span', { class: 'muted' }, ' (pod)'))),
      ),
      h(
        'ol',
        { class: 'dq-steps', 'aria-label': `Steps of deployment ${d.id}` },
        ...(d.steps ?? []).map((step, i) => {
          const state = stepState(i, current);
          return h(
            'li',
            { class: `dq-step ${state}`, 'data-state': state, 'aria-current': state === 'current' ? 'step' : null },
            h('span', { class: 'dq-step-label' }, `Step ${i + 1}`, h('span', { class: 'muted' }, ` · ${state === 'current' ? 'running' : state}`)),
            h('ul', { class: 'dq-actions' }, ...step.actions.map((a) => actionItem(a, state === 'current' ? this.instancesOf(a) : undefined))),
          );
        }),
      ),
    ]);
  }

  /**
   * How far the running step is, 0..1: for the actions that start or scale apps, the share of
   * their instances running. Restarts and stops give no such measure (old and new tasks count
   * alike), so they add nothing until their step is done.
   */
  private stepFraction(actions: readonly DeploymentAction[]): number {
    const shares = actions.map((a) => {
      const app = a.app === undefined ? undefined : this.store.rows.get(a.app)?.app;
      if (app === undefined || (a.action !== 'StartApplication' && a.action !== 'ScaleApplication')) return 0;
      const target = app.instances ?? 0;
      return target === 0 ? 0 : Math.min(1, (app.tasksRunning ?? 0) / target);
    });
    return shares.length === 0 ? 0 : shares.reduce((a, b) => a + b, 0) / shares.length;
  }

  /** "2 of 3 running" for an app action, from the overview's app list. */
  private instancesOf(a: DeploymentAction): string | undefined {
    const app = a.app === undefined ? undefined : this.store.rows.get(a.app)?.app;
    if (app === undefined) return undefined;
    return `${app.tasksRunning ?? 0} of ${app.instances ?? 0} running`;
  }

  private async end(card: Card, how: DeploymentEnd): Promise<void> {
    const d = card.deployment;
    const { apps, pods } = deploymentTargets(d);
    const targets = [...apps, ...pods];
    const names: Child[] = targets.flatMap((id, i) => [i > 0 ? ', ' : null, h('code', null, id)]);
    const one = targets.length === 1;
    const ok = await confirmAction(
      how === 'rollback'
        ? {
            title: `Cancel deployment ${d.id}?`,
            body: [
              h('p', null, 'A new deployment starts that rolls ', ...names, ` back to the definition ${one ? 'it' : 'they'} had before this deployment.`),
              h('p', null, 'Instances this deployment started are stopped and those it stopped are started again.'),
            ],
            confirmLabel: 'Cancel and roll back',
          }
        : {
            title: `Stop deployment ${d.id} without rollback?`,
            body: [
              h(
                'p',
                null,
                'The deployment ends where it is. ',
                ...names,
                one ? ' keeps its new definition; nothing is rolled back.' : ' keep their new definition; nothing is rolled back.',
              ),
              h('p', null, 'Instances already started or stopped stay so; missing instances keep waiting in the launch queue.'),
            ],
            confirmLabel: 'Stop deployment',
            danger: true,
          },
    );
    if (!ok) return;
    const button = how === 'rollback' ? card.cancel : card.stop;
    setBusy(button, true);
    try {
      const result = await this.api.cancelDeployment(d.id, { force: how === 'force' });
      if (how === 'rollback') announce(result, `Cancelling ${d.id}, rolling back`);
      else notify('ok', `Deployment ${d.id} stopped.`);
    } catch (err) {
      notify('error', `${how === 'rollback' ? 'Cancelling' : 'Stopping'} ${d.id} failed: ${describeError(err)}`);
    } finally {
      setBusy(button, false);
    }
    await this.store.refreshNow();
  }
}

function actionItem(a: DeploymentAction, instances: string | undefined): HTMLLIElement {
  const id = a.app ?? a.pod;
  const target = id === undefined ? '–' : h('a', { href: a.pod !== undefined ? podHref(id) : appHref(id), class: 'app-link' }, id);
  return h(
    'li',
    { class: 'dq-action', 'data-action': a.action },
    h('span', { class: 'dq-action-word' }, ACTION_WORDS[a.action] ?? a.action),
    ' ',
    target,
    instances === undefined ? null : h('span', { class: 'dq-instances' }, ` · ${instances}`),
    h('span', { class: 'reason-code' }, a.action),
  );
}
