import { describe, expect, it } from 'vitest';
import { appIdFromSafePath, newInstanceId, parseInstanceId, parseTaskId, safePath, taskIdOf, uuidV1, uuidV1Time } from '../../../src/scheduler/core/ids.js';

describe('instance and task ids', () => {
  it('derives the safe path Marathon uses and back', () => {
    expect(safePath('/prod/web')).toBe('prod_web');
    expect(appIdFromSafePath('prod_web')).toBe('/prod/web');
    expect(safePath('/my.app/v-1')).toBe('my.app_v-1');
  });

  it('makes time-based (v1) UUIDs that carry their creation time and never repeat', () => {
    const at = Date.UTC(2017, 7, 1, 12, 0, 0);
    const ids = Array.from({ length: 1000 }, () => uuidV1(at));
    expect(new Set(ids).size).toBe(1000);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV1Time(uuidV1(at + 5000))).toBe(at + 5000);
    // Marathon's documented example id decodes to its creation time (2017-08-01).
    expect(new Date(uuidV1Time('b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6')!).toISOString()).toBe('2017-08-01T23:54:11.133Z');
  });

  it('builds `<safePath>.instance-<uuid>` and `<instanceId>._app.<n>`', () => {
    const instanceId = newInstanceId('/prod/web');
    expect(instanceId).toMatch(/^prod_web\.instance-[0-9a-f-]{36}$/);
    expect(taskIdOf(instanceId, 1)).toBe(`${instanceId}._app.1`);
    expect(parseInstanceId(instanceId)).toMatchObject({ appId: '/prod/web', prefix: 'instance-' });
  });

  it('parses the current task id form', () => {
    const id = 'prod_web.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app.3';
    expect(parseTaskId(id)).toEqual({
      taskId: id,
      instanceId: 'prod_web.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6',
      appId: '/prod/web',
      container: '_app',
      incarnation: 3,
    });
  });

  it('parses the older forms Marathon still accepts', () => {
    expect(parseTaskId('prod_web.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app')).toMatchObject({
      instanceId: 'prod_web.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6',
      incarnation: undefined,
    });
    expect(parseTaskId('prod_web.marathon-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app.1')).toMatchObject({
      instanceId: 'prod_web.marathon-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6',
      appId: '/prod/web',
    });
    expect(parseTaskId('prod_web.b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6')).toMatchObject({
      instanceId: 'prod_web.marathon-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6',
      appId: '/prod/web',
      container: undefined,
    });
    expect(parseTaskId('prod_web_b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6')).toMatchObject({ appId: '/prod/web' });
    expect(parseTaskId('prod_web.b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6.2')).toMatchObject({
      instanceId: 'prod_web.marathon-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6',
      incarnation: 2,
    });
    expect(parseTaskId('stranger')).toBeUndefined();
    expect(parseInstanceId('no-instance-here')).toBeUndefined();
  });
});
