/// <reference lib="dom" />
/**
 * A group page's actions, as Marathon's UI offered them: scale every app below the group by a
 * factor (PUT /v2/groups/{id} with `scaleBy`) and delete the group with all its apps
 * (DELETE /v2/groups/{id}). Each asks first, names what it will touch, and announces the deployment.
 */
import { withForceRetry } from './actions.js';
import type { MarathonClient, Mutation } from './api.js';
import { confirmAction, openDialog } from './dialogs.js';
import { h, setText } from './dom.js';

export type GroupAction = 'scale' | 'delete';

/** What the dialogs tell about the group: the apps below it, at any depth. */
export interface GroupFacts {
  id: string;
  /** Target instances of each app below the group. */
  instances: number[];
  tasksRunning: number;
  /** Pods below the group: deleting the group deletes them too. */
  pods: number;
}

export async function runGroupAction(api: MarathonClient, action: GroupAction, group: GroupFacts): Promise<Mutation | undefined> {
  const apps = group.instances.length;
  if (action === 'scale') {
    const factor = await promptFactor(group);
    if (factor === undefined) return undefined;
    return withForceRetry((o) => api.scaleGroup(group.id, factor, o), `Scaling ${group.id} by ×${factor}`, 'Group');
  }
  const ok = await confirmAction({
    title: `Delete group ${group.id}?`,
    body: [
      h(
        'p',
        { class: 'group-delete-count' },
        'This destroys ',
        h('strong', null, plural(apps, 'app')),
        ' (',
        plural(group.tasksRunning, 'running task'),
        ')',
        group.pods > 0 ? h('span', null, ' and ', h('strong', null, plural(group.pods, 'pod'))) : null,
        ' in ',
        h('code', null, group.id),
        ' and its sub-groups, and deletes the group.',
      ),
      h('p', null, 'This cannot be undone.'),
    ],
    confirmLabel: 'Delete group',
    danger: true,
  });
  if (!ok) return undefined;
  return withForceRetry((o) => api.destroyGroup(group.id, o), `Deleting ${group.id} (${plural(apps, 'app')})`, 'Group');
}

/** Instances after Marathon's scaleBy: each app gets ceil(instances × factor). */
export function instancesAfterScale(instances: readonly number[], factor: number): number {
  return instances.reduce((sum, n) => sum + Math.ceil(n * factor), 0);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Asks for a factor (a non-negative number, 0.5 halves, 2 doubles) and previews its effect. */
function promptFactor(group: GroupFacts): Promise<number | undefined> {
  return openDialog<number | undefined>((dialog, close) => {
    const now = group.instances.reduce((a, b) => a + b, 0);
    const input = h('input', { type: 'number', min: 0, step: 'any', value: 1, required: true, id: 'group-scale-factor', inputmode: 'decimal' });
    const preview = h('output', { for: 'group-scale-factor', class: 'group-scale-preview', 'aria-live': 'polite' });
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const ok = h('button', { type: 'submit', class: 'btn primary' }, 'Scale');
    const readFactor = (): number | undefined => {
      const n = input.value.trim() === '' ? Number.NaN : Number(input.value);
      return Number.isFinite(n) && n >= 0 ? n : undefined;
    };
    const update = (): void => {
      input.setCustomValidity('');
      const factor = readFactor();
      setText(
        preview,
        factor === undefined
          ? 'Enter a factor of 0 or more.'
          : `${plural(group.instances.length, 'app')}: ${plural(now, 'instance')} now, ${plural(instancesAfterScale(group.instances, factor), 'instance')} after.`,
      );
    };
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', null, `Scale ${group.id}`),
      h(
        'div',
        { class: 'modal-body' },
        h('p', null, 'Every app in the group and its sub-groups gets its instances multiplied by the factor, rounded up.'),
        h('label', { for: 'group-scale-factor' }, 'Scale factor'),
        input,
        preview,
      ),
      h('div', { class: 'modal-actions' }, cancel, ok),
    );
    cancel.addEventListener('click', () => close(undefined));
    input.addEventListener('input', update);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const factor = readFactor();
      if (factor === undefined) {
        input.setCustomValidity('Enter a factor of 0 or more');
        input.reportValidity();
        return;
      }
      close(factor);
    });
    update();
    dialog.append(form);
    queueMicrotask(() => input.select());
  }, undefined);
}
