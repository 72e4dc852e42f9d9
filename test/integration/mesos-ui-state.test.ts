/**
 * What an operator sees of Pacer in the Mesos web UI, over real HTTP: a real `pacer --master local`
 * runs an app with labels, named ports and a MESOS_HTTP health check, and the embedded master's
 * `/master/state` (the document the Mesos UI polls) shows the task as Marathon's TaskInfo fills it
 * (name, labels, discovery with named ports and their labels, `healthy` in the latest status) and
 * the framework with its name and a `webui_url` that opens Pacer's UI. `/master/tasks` and
 * `/master/frameworks` answer the same, and the Mesos UI's own way of reading (JSONP, then the
 * agent's state and its files API for the sandbox link) works as it does against upstream.
 * test/mesos-real/pacer.test.ts runs the same checks against a real Mesos master.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectFrameworkRow, expectMesosUiReads, expectTaskAsMarathonWritesIt, expectTasksAndFrameworksEndpoints } from '../helpers/mesos-ui-view.js';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';
import { pacerFrameworkId, waitFor } from '../helpers/processes.js';

const FRAMEWORK_NAME = 'marathon';
const SERVER = 'exec python3 -m http.server $PORT0 --bind 127.0.0.1';

let pacer: PacerProcess;
let frameworkId: string;
let taskId: string;

beforeAll(async () => {
  pacer = await startPacerProcess({ name: 'mesos-ui-state', agents: 1, extraArgs: ['--framework_name', FRAMEWORK_NAME, '--hostname', '127.0.0.1'] });
  frameworkId = await waitFor('Pacer subscribed', () => pacerFrameworkId(pacer.url), { timeoutMs: 30_000, intervalMs: 200 });
});

afterAll(async () => {
  await pacer?.stop();
});

describe('Pacer in the master state the Mesos UI renders', () => {
  it('shows the framework by its name with a webui_url that opens Pacer’s UI', async () => {
    await expectFrameworkRow(pacer.masterUrl, frameworkId, FRAMEWORK_NAME, pacer.url);
  });

  it('shows the task with its name, labels, named ports and health, as Marathon’s TaskInfo carries them', async () => {
    taskId = await expectTaskAsMarathonWritesIt(pacer.url, pacer.masterUrl, SERVER, 60_000);
  });

  it('answers /master/tasks and /master/frameworks with the same task and framework', async () => {
    await expectTasksAndFrameworksEndpoints(pacer.masterUrl, frameworkId, taskId, FRAMEWORK_NAME, pacer.url);
  });

  it('serves the Mesos UI’s JSONP reads: the state, then the agent’s state and the sandbox behind the task’s link', async () => {
    await expectMesosUiReads(pacer.masterUrl, frameworkId, taskId);
  });
});
