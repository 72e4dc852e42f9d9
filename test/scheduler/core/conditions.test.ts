import { describe, expect, it } from 'vitest';
import { conditionOf, isTerminalCondition } from '../../../src/scheduler/core/conditions.js';

describe('Mesos state to Marathon condition', () => {
  it('maps every plain state by name', () => {
    expect(conditionOf('TASK_STAGING')).toBe('Staging');
    expect(conditionOf('TASK_STARTING')).toBe('Starting');
    expect(conditionOf('TASK_RUNNING')).toBe('Running');
    expect(conditionOf('TASK_KILLING')).toBe('Killing');
    expect(conditionOf('TASK_FINISHED')).toBe('Finished');
    expect(conditionOf('TASK_FAILED')).toBe('Failed');
    expect(conditionOf('TASK_KILLED')).toBe('Killed');
    expect(conditionOf('TASK_ERROR')).toBe('Error');
    expect(conditionOf('TASK_DROPPED')).toBe('Dropped');
    expect(conditionOf('TASK_UNREACHABLE')).toBe('Unreachable');
    expect(conditionOf('TASK_GONE')).toBe('Gone');
    expect(conditionOf('TASK_UNKNOWN')).toBe('Unknown');
  });

  it('treats TASK_GONE_BY_OPERATOR as Gone', () => {
    expect(conditionOf('TASK_GONE_BY_OPERATOR')).toBe('Gone');
  });

  it('splits TASK_LOST by reason', () => {
    expect(conditionOf('TASK_LOST', 'REASON_RECONCILIATION')).toBe('Unreachable');
    expect(conditionOf('TASK_LOST', 'REASON_AGENT_DISCONNECTED')).toBe('Unreachable');
    expect(conditionOf('TASK_LOST', 'REASON_AGENT_REMOVED')).toBe('Unreachable');
    expect(conditionOf('TASK_LOST', 'REASON_TASK_UNKNOWN')).toBe('Unknown');
    expect(conditionOf('TASK_LOST', 'REASON_EXECUTOR_TERMINATED')).toBe('Gone');
    expect(conditionOf('TASK_LOST')).toBe('Gone');
  });

  it('knows which conditions end an instance', () => {
    // Marathon's Condition.Terminal: Unknown is a Failure like Gone and Dropped.
    for (const c of ['Finished', 'Failed', 'Killed', 'Error', 'Dropped', 'Gone', 'Unknown'] as const) expect(isTerminalCondition(c)).toBe(true);
    for (const c of ['Running', 'Unreachable', 'UnreachableInactive', 'Killing', 'Provisioned'] as const) expect(isTerminalCondition(c)).toBe(false);
  });
});
