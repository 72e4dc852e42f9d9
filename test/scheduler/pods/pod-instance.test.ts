import { describe, expect, it } from 'vitest';
import type { Condition, PodTask } from '../../../src/scheduler/contracts.js';
import { executorIdOf, podInstanceCondition, podInstanceHealth, podTaskIdOf } from '../../../src/scheduler/core/pod-instance.js';

function task(condition: Condition, healthChecked = false, healthy?: boolean): PodTask {
  return {
    containerName: 'c',
    taskId: 't',
    condition,
    healthChecked,
    hostPorts: [],
    ...(healthy !== undefined ? { status: { state: 'TASK_RUNNING', healthy, timestamp: 0 } } : {}),
  };
}

describe('pod instance condition (Marathon InstanceState.conditionFromTasks)', () => {
  it('takes the task condition highest in the hierarchy', () => {
    expect(podInstanceCondition([task('Running'), task('Failed')])).toBe('Failed');
    expect(podInstanceCondition([task('Running'), task('Finished')])).toBe('Running');
    expect(podInstanceCondition([task('Running'), task('Staging')])).toBe('Staging');
    expect(podInstanceCondition([task('Killed'), task('Finished')])).toBe('Finished');
    expect(podInstanceCondition([task('Killed'), task('Killed')])).toBe('Killed');
    expect(podInstanceCondition([task('Running'), task('Unreachable')])).toBe('Unreachable');
    expect(podInstanceCondition([task('Error'), task('Killing')])).toBe('Error');
    expect(podInstanceCondition([])).toBe('Unknown');
  });
});

describe('pod instance health', () => {
  it('is undefined without checks, false when a checked container is unhealthy, true when all checked ones are healthy', () => {
    expect(podInstanceHealth([task('Running'), task('Running')])).toBeUndefined();
    expect(podInstanceHealth([task('Running', true, false), task('Running')])).toBe(false);
    expect(podInstanceHealth([task('Running', true, true), task('Running')])).toBe(true);
    expect(podInstanceHealth([task('Running', true, true), task('Running', true)])).toBeUndefined();
    expect(podInstanceHealth([task('Running', true, true), task('Staging')])).toBeUndefined();
    expect(podInstanceHealth([task('Running', true, true), task('Running', true, true)])).toBe(true);
  });
});

describe('pod ids', () => {
  it('names tasks <instanceId>.<container>.<incarnation> and the executor as Marathon does', () => {
    const instanceId = 'web_pod.instance-7e2bba3c-3c55-11ef-9a33-0242ac110002';
    expect(podTaskIdOf(instanceId, 'sidecar', 3)).toBe(`${instanceId}.sidecar.3`);
    expect(executorIdOf(instanceId)).toBe('instance-web_pod.7e2bba3c-3c55-11ef-9a33-0242ac110002');
  });
});
