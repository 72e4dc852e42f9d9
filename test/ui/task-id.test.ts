/** Readable task ids, the log viewer's route, when "Kill and wipe" is offered: pure functions, no browser. */
import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../src/ui/app/router.js';
import { offersWipe } from '../../src/ui/app/task-actions.js';
import { appIdOfTask, splitTaskId } from '../../src/ui/app/task-id.js';
import { downloadHref, taskLogsHref } from '../../src/ui/app/task-logs-view.js';

const TASK = 'prod_web.instance-2f1a3b4c-0a1b-11ef-8e2d-0123456789ab._app.1';

describe('splitTaskId', () => {
  it("separates the app prefix, the UUID's first group and the rest of Marathon's task ids", () => {
    expect(splitTaskId(TASK)).toEqual({ prefix: 'prod_web.instance-', unique: '2f1a3b4c', rest: '-0a1b-11ef-8e2d-0123456789ab._app.1' });
    // Older Marathon ids: `<safe path>.<uuid>` and `.marathon-<uuid>`.
    expect(splitTaskId('web.2f1a3b4c-0a1b-11ef-8e2d-0123456789ab')).toEqual({ prefix: 'web.', unique: '2f1a3b4c', rest: '-0a1b-11ef-8e2d-0123456789ab' });
    expect(splitTaskId('web.marathon-2f1a3b4c-0a1b-11ef-8e2d-0123456789ab').prefix).toBe('web.marathon-');
  });

  it('keeps ids of other shapes whole after the first dot, or entirely', () => {
    expect(splitTaskId('web.some-task')).toEqual({ prefix: 'web.', unique: 'some-task', rest: '' });
    expect(splitTaskId('plain')).toEqual({ prefix: '', unique: 'plain', rest: '' });
  });

  it('always puts the whole id back together', () => {
    for (const id of [TASK, 'web.some-task', 'plain', 'a.b.c']) {
      const { prefix, unique, rest } = splitTaskId(id);
      expect(prefix + unique + rest).toBe(id);
    }
  });
});

describe('appIdOfTask', () => {
  it("reads the app id from the task id's safe path", () => {
    expect(appIdOfTask(TASK)).toBe('/prod/web');
    expect(appIdOfTask('hello.instance-x._app.1')).toBe('/hello');
    expect(appIdOfTask('plain')).toBeUndefined();
  });
});

describe('the log viewer route', () => {
  it('round-trips a task id through #/tasks/<id>/logs, with an optional file', () => {
    expect(parseRoute(taskLogsHref(TASK))).toEqual({ view: 'task-logs', taskId: TASK, file: undefined });
    expect(parseRoute(taskLogsHref(TASK, 'stderr'))).toEqual({ view: 'task-logs', taskId: TASK, file: 'stderr' });
    expect(parseRoute('#/tasks/a%2Fb/logs/stdout')).toEqual({ view: 'task-logs', taskId: 'a/b', file: 'stdout' });
    expect(parseRoute('#/tasks/x/logs/other')).toEqual({ view: 'apps' });
  });

  it("downloads through Pacer's sandbox route", () => {
    expect(downloadHref(TASK, 'stderr')).toBe(`/pacer/tasks/${TASK}/files/download?path=stderr`);
  });
});

describe('offersWipe (Marathon UI: "Kill & Wipe" only for stateful tasks)', () => {
  const task = { id: TASK, appId: '/prod/web' };
  it('is offered for apps with persistent volumes (residency) or tasks with local volumes', () => {
    expect(offersWipe({ id: '/prod/web' }, [task])).toBe(false);
    expect(offersWipe({ id: '/prod/web', residency: { taskLostBehavior: 'WAIT_FOREVER' } }, [task])).toBe(true);
    expect(offersWipe({ id: '/prod/web' }, [{ ...task, localVolumes: [{ containerPath: 'data' }] }])).toBe(true);
    expect(offersWipe({ id: '/prod/web' }, [{ ...task, localVolumes: [] }])).toBe(false);
  });
});
