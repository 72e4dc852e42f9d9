import pino from 'pino';
import type { AgentStatusSink, LocalAgent } from '../../../src/local/agents/agent.js';
import { LocalMaster, type FrameworkConnection } from '../../../src/local/master/master.js';
import type {
  Attribute,
  Call,
  Event,
  ExecutorInfo,
  FrameworkInfo,
  KillPolicy,
  Offer,
  Resource,
  TaskGroupInfo,
  TaskInfo,
  TaskState,
  TaskStatus,
} from '../../../src/mesos/types.js';

/** Records every event the master writes to one subscription stream. */
export class RecordingConnection implements FrameworkConnection {
  readonly events: Event[] = [];
  closed = false;
  constructor(readonly streamId: string) {}
  /** While set, writes are held here instead of leaving at once (a subscriber that reads slowly). */
  unwritten: (() => void)[] | undefined;
  send(event: Event, onWritten?: () => void): void {
    if (this.closed) throw new Error('send on a closed stream');
    this.events.push(event);
    if (onWritten === undefined) return;
    if (this.unwritten !== undefined) this.unwritten.push(onWritten);
    else onWritten();
  }
  close(): void {
    this.closed = true;
  }
  ofType(type: Event['type']): Event[] {
    return this.events.filter((e) => e.type === type);
  }
  offers(): Offer[] {
    return this.ofType('OFFERS').flatMap((e) => e.offers?.offers ?? []);
  }
  updates(): TaskStatus[] {
    return this.ofType('UPDATE').map((e) => e.update!.status);
  }
  clear(): void {
    this.events.length = 0;
  }
}

/** An in-memory agent: it records launches and kills; the test drives its status reports. */
export class FakeAgent implements LocalAgent {
  readonly launched: { frameworkId: string; task: TaskInfo; executor?: ExecutorInfo }[] = [];
  readonly groups: { frameworkId: string; executor: ExecutorInfo; group: TaskGroupInfo }[] = [];
  readonly kills: { frameworkId: string; taskId: string; killPolicy?: KillPolicy }[] = [];
  sink: AgentStatusSink | undefined;

  constructor(
    readonly id: string,
    readonly resources: readonly Resource[] = standardResources(),
    readonly attributes: readonly Attribute[] = [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }],
    readonly hostname = `${id}.local`,
  ) {}

  launchTask(frameworkId: string, task: TaskInfo, executor?: ExecutorInfo): void {
    this.launched.push({ frameworkId, task, ...(executor ? { executor } : {}) });
  }
  launchGroup(frameworkId: string, executor: ExecutorInfo, group: TaskGroupInfo): void {
    this.groups.push({ frameworkId, executor, group });
  }
  killTask(frameworkId: string, taskId: string, killPolicy?: KillPolicy): void {
    this.kills.push({ frameworkId, taskId, ...(killPolicy ? { killPolicy } : {}) });
  }
  sandboxOf(): string | undefined {
    return undefined;
  }
  async close(): Promise<void> {}

  report(frameworkId: string, taskId: string, state: TaskState, extra: Partial<TaskStatus> = {}): void {
    this.sink!.statusUpdate(frameworkId, { task_id: { value: taskId }, state, ...extra });
  }
}

export function standardResources(cpus = 4, mem = 4096): Resource[] {
  return [
    { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
    { name: 'mem', type: 'SCALAR', scalar: { value: mem } },
    { name: 'disk', type: 'SCALAR', scalar: { value: 10000 } },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } },
  ];
}

export class ManualClock {
  ms = 1_700_000_000_000;
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Harness {
  master: LocalMaster;
  clock: ManualClock;
  agents: FakeAgent[];
}

export function makeMaster(agentCount = 2, options: { statusUpdateRetryMs?: number } = {}): Harness {
  const clock = new ManualClock();
  const master = new LocalMaster({ hostname: 'localhost', ip: '127.0.0.1', port: 5050, now: clock.now, masterId: 'm1', ...options }, pino({ level: 'silent' }));
  const agents: FakeAgent[] = [];
  for (let i = 0; i < agentCount; i++) {
    const agent = new FakeAgent(`agent-${i}`);
    agent.sink = master.statusSink;
    master.addAgent(agent);
    agents.push(agent);
  }
  return { master, clock, agents };
}

let streams = 0;

export function frameworkInfo(extra: Partial<FrameworkInfo> = {}): FrameworkInfo {
  return { user: 'tester', name: 'test-framework', ...extra };
}

export interface Subscribed {
  id: string;
  connection: RecordingConnection;
}

export function subscribe(master: LocalMaster, info: FrameworkInfo = frameworkInfo()): Subscribed {
  const connection = new RecordingConnection(`stream-${++streams}`);
  const call: Call = { type: 'SUBSCRIBE', subscribe: { framework_info: info } };
  if (info.id !== undefined) call.framework_id = info.id;
  master.subscribe(call, connection);
  const subscribed = connection.ofType('SUBSCRIBED')[0];
  return { id: subscribed?.subscribed?.framework_id.value ?? '', connection };
}

export function call(master: LocalMaster, fw: Subscribed, body: Omit<Call, 'framework_id'>): void {
  master.handleCall({ framework_id: { value: fw.id }, ...body }, fw.connection.streamId);
}

export function task(id: string, agentId: string, cpus = 1, mem = 128, extra: Partial<TaskInfo> = {}): TaskInfo {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
      { name: 'mem', type: 'SCALAR', scalar: { value: mem } },
    ],
    command: { value: 'sleep 100' },
    ...extra,
  };
}

export function launch(master: LocalMaster, fw: Subscribed, offers: Offer[], tasks: TaskInfo[], refuseSeconds?: number): void {
  call(master, fw, {
    type: 'ACCEPT',
    accept: {
      offer_ids: offers.map((o) => o.id),
      operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
      ...(refuseSeconds !== undefined ? { filters: { refuse_seconds: refuseSeconds } } : {}),
    },
  });
}
