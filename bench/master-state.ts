/**
 * The embedded master alone, in this process, at the size of the 100k bench: `instances` tasks
 * shaped like Marathon's (a dozen environment variables, a discovery port, one host port) on
 * `agents` simulated agents, launched by a minimal framework that accepts every offer and
 * acknowledges every update. Then:
 *  - the master's live heap per task (after a full GC);
 *  - `/master/state` rendered through its chunks, median of 5, with its size and largest chunk;
 *  - the growth of the heap while one state is rendered (what a GET costs the master beside its data);
 *  - GET of that state over HTTP on 127.0.0.1 (median of 5), as the master's endpoint streams it,
 *    with the client in this same process: an upper bound, since the client's reading and
 *    decoding of the body take turns with the rendering (curl from outside took 0.34-0.44 s at
 *    100,000 tasks when this process rendered in 0.4 s).
 *
 *   npm run bench -- master-state [--instances 100000] [--agents 5000] [--apps 100]
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { SimulatedAgent } from '../src/local/agents/simulated-agent.js';
import { replyJsonpChunks } from '../src/local/http-replies.js';
import type { FrameworkConnection } from '../src/local/master/connection.js';
import { LocalMaster } from '../src/local/master/master.js';
import type { Event, Offer, Resource, TaskInfo, TaskStatus } from '../src/mesos/types.js';
import { getText, median, round } from './figures.js';

const AGENT_RESOURCES: Resource[] = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 8 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 16384 } },
  { name: 'disk', type: 'SCALAR', scalar: { value: 10000 } },
  { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } },
];
const CPUS = 0.1;
const MEM = 16;
const SAMPLES = 5;

export class MasterStateBenchError extends Error {
  readonly code = 'PACER_BENCH_MASTER_STATE';
}

interface Args {
  instances: number;
  agents: number;
  apps: number;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { instances: 100_000, agents: 5_000, apps: 100 };
  for (let i = 0; i < argv.length; i += 2) {
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n <= 0) throw new MasterStateBenchError(`${argv[i]} needs a positive integer`);
    if (argv[i] === '--instances') out.instances = n;
    else if (argv[i] === '--agents') out.agents = n;
    else if (argv[i] === '--apps') out.apps = n;
    else throw new MasterStateBenchError(`unknown argument ${argv[i]}; known: --instances N --agents N --apps N`);
  }
  return out;
}

/** A TaskInfo with the parts Marathon's TaskBuilder gives a `cmd` app with one port. */
function marathonTask(app: string, agentId: string, port: number): TaskInfo {
  const taskId = `${app}.instance-${randomUUID()}._app.1`;
  const env: Record<string, string> = {
    MARATHON_APP_ID: `/bench/${app}`,
    MARATHON_APP_VERSION: '2026-12-07T20:00:00.000Z',
    MARATHON_APP_DOCKER_IMAGE: '',
    MARATHON_APP_RESOURCE_CPUS: String(CPUS),
    MARATHON_APP_RESOURCE_MEM: `${MEM}.0`,
    MARATHON_APP_RESOURCE_DISK: '0.0',
    MARATHON_APP_RESOURCE_GPUS: '0',
    MESOS_TASK_ID: taskId,
    MARATHON_APP_LABELS: '',
    HOST: `${agentId}.simulated`,
    PORT0: String(port),
    PORTS: String(port),
    PORT: String(port),
    PORT_10000: String(port),
  };
  return {
    name: app,
    task_id: { value: taskId },
    agent_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: CPUS }, role: '*', allocation_info: { role: '*' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: MEM }, role: '*', allocation_info: { role: '*' } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: port, end: port }] }, role: '*', allocation_info: { role: '*' } },
    ],
    discovery: { visibility: 'FRAMEWORK', name: app, ports: { ports: [{ number: port, name: 'http', protocol: 'tcp' }] } },
    command: {
      value: 'sleep 1000',
      shell: true,
      environment: { variables: Object.entries(env).map(([name, value]) => ({ name, value })) },
      uris: [],
    },
  };
}

class BenchConnection implements FrameworkConnection {
  readonly streamId = 'bench';
  readonly offers: Offer[] = [];
  readonly updates: TaskStatus[] = [];
  send(event: Event): void {
    if (event.type === 'OFFERS') this.offers.push(...(event.offers?.offers ?? []));
    else if (event.type === 'UPDATE') this.updates.push(event.update!.status);
  }
  close(): void {}
}

/** A full collection, so that heap figures count what is live; `--expose-gc` set at run time. */
function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = fullGc();

const heapMiB = (): number => process.memoryUsage().heapUsed / 1024 / 1024;

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const logger = pino({ level: 'warn' });
  gc();
  const heapBefore = heapMiB();
  const master = new LocalMaster({ hostname: 'localhost', ip: '127.0.0.1', port: 5050, allocationIntervalMs: 1000 }, logger);
  for (let i = 0; i < args.agents; i++) {
    master.addAgent(new SimulatedAgent({ id: `agent-${i}`, hostname: `agent-${i}.simulated`, resources: AGENT_RESOURCES, sink: master.statusSink }));
  }
  const connection = new BenchConnection();
  master.subscribe(
    { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'bench', name: 'bench', capabilities: [{ type: 'MULTI_ROLE' }], roles: ['*'] } } },
    connection,
  );
  const frameworkId = master.frameworkIds()[0]!;
  const call = (body: object): void => master.handleCall({ framework_id: { value: frameworkId }, ...body } as never, 'bench');

  let launched = 0;
  let running = 0;
  const started = performance.now();
  while (running < args.instances) {
    master.allocate();
    for (const offer of connection.offers.splice(0)) {
      const tasks: TaskInfo[] = [];
      const ports = offer.resources?.find((r) => r.name === 'ports')?.ranges?.range?.[0];
      const cpus = offer.resources?.find((r) => r.name === 'cpus')?.scalar?.value ?? 0;
      let port = ports?.begin ?? 0;
      let left = cpus;
      while (launched < args.instances && left >= CPUS - 1e-9 && ports !== undefined && port <= ports.end) {
        const app = `app-${String(launched % args.apps).padStart(3, '0')}`;
        tasks.push(marathonTask(app, offer.agent_id.value, port++));
        launched++;
        left -= CPUS;
      }
      if (tasks.length === 0) call({ type: 'DECLINE', decline: { offer_ids: [offer.id] } });
      else call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }] } });
    }
    for (const status of connection.updates.splice(0)) {
      if (status.state === 'TASK_RUNNING') running++;
      if (status.uuid !== undefined) call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const secondsToRunning = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const heapRunning = heapMiB();

  const times: number[] = [];
  let bytes = 0;
  let largestChunk = 0;
  let heapGrowth = 0;
  for (let i = 0; i < SAMPLES; i++) {
    gc();
    const heapStart = heapMiB();
    let heapPeak = heapStart;
    const t0 = performance.now();
    bytes = 0;
    for (const chunk of master.stateTextChunks()) {
      bytes += chunk.length;
      largestChunk = Math.max(largestChunk, chunk.length);
      heapPeak = Math.max(heapPeak, heapMiB());
    }
    times.push(performance.now() - t0);
    heapGrowth = Math.max(heapGrowth, heapPeak - heapStart);
  }
  // The same over HTTP on 127.0.0.1, as the endpoint streams it: time to the last byte.
  const server = createServer((_req, res) => replyJsonpChunks(res, master.stateTextChunks(), undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const httpTimes: number[] = [];
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/master/state`;
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      const { status, text } = await getText(url);
      httpTimes.push(performance.now() - t0);
      if (status !== 200 || text.length !== bytes)
        throw new MasterStateBenchError(`GET ${url} answered ${status} with ${text.length} characters, not ${bytes}`);
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await master.stop();
  }

  const figures = {
    bench: 'master-state',
    instances: args.instances,
    agents: args.agents,
    secondsToRunning: round(secondsToRunning, 2),
    heapPerTaskBytes: round(((heapRunning - heapBefore) * 1024 * 1024) / args.instances, 0),
    heapRunningMiB: round(heapRunning, 0),
    stateMedianMs: round(median(times), 0),
    stateHttpMedianMs: round(median(httpTimes), 0),
    stateMiB: round(bytes / 1024 / 1024, 1),
    largestChunkKiB: round(largestChunk / 1024, 0),
    stateHeapGrowthMiB: round(heapGrowth, 0),
  };
  process.stdout.write(
    [
      `${args.instances} tasks on ${args.agents} simulated agents running in ${figures.secondsToRunning} s`,
      `master heap               ${figures.heapRunningMiB} MiB, ${figures.heapPerTaskBytes} bytes per task`,
      `/master/state             median ${figures.stateMedianMs} ms of ${SAMPLES} rendered, ${figures.stateHttpMedianMs} ms over HTTP to a client in this process; ${figures.stateMiB} MiB, largest chunk ${figures.largestChunkKiB} KiB`,
      `heap growth while rendering ${figures.stateHeapGrowthMiB} MiB`,
      JSON.stringify(figures),
      '',
    ].join('\n'),
  );
}
