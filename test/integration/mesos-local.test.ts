/**
 * The whole framework cycle against `pacer mesos-local` over real HTTP, driven by Pacer's own
 * scheduler driver: subscribe, offers, a real child-process task and its sandbox, status
 * acknowledgements, reconciliation, kill, decline filters, suppress/revive and DRF between
 * two frameworks.
 *
 * "Nothing arrived" is judged against HEARTBEAT events: the master sends several allocation
 * passes' worth of them (allocation every 50 ms, heartbeat every 300 ms), so an offer that
 * should not come would have come before the second heartbeat.
 */
import { userInfo } from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { StaticMasterDetector } from '../../src/mesos/detector.js';
import { SchedulerDriver } from '../../src/mesos/driver.js';
import type { Event, FrameworkInfo, Offer, TaskInfo, TaskStatus } from '../../src/mesos/types.js';

const logger = pino({ level: 'silent' });
const WAIT_MS = 15_000;

let local: MesosLocalHandle;
let frameworks: Framework[] = [];

/** A driver plus a buffer of its events that tests can wait on. */
class Framework {
  readonly driver: SchedulerDriver;
  readonly events: Event[] = [];
  #cursor = 0;
  #wake: (() => void) | undefined;
  #pump: Promise<void>;
  /** Acknowledge every update that carries a uuid, as a well-behaved scheduler does. */
  autoAck = true;
  /** When set, sees every OFFERS event as it arrives (before tests read it). */
  onOffers: ((offers: Offer[]) => void) | undefined;

  constructor(base: string, info: Partial<FrameworkInfo>) {
    this.driver = new SchedulerDriver({
      detector: new StaticMasterDetector(base),
      frameworkInfo: { user: userInfo().username, name: 'integration', failover_timeout: 0, ...info },
      persistFrameworkId: async () => undefined,
      logger,
      mediaType: 'application/json',
    });
    this.driver.start();
    this.#pump = this.#consume();
  }

  get frameworkId(): string {
    return this.driver.frameworkId!;
  }

  async #consume(): Promise<void> {
    for await (const item of this.driver.events()) {
      if (item.kind !== 'event') continue;
      const status = item.event.update?.status;
      if (this.autoAck && status?.uuid !== undefined && status.agent_id !== undefined) {
        await this.driver.acknowledge(status.agent_id, status.task_id, status.uuid).catch(() => undefined);
      }
      if (item.event.type === 'OFFERS') this.onOffers?.(item.event.offers?.offers ?? []);
      this.events.push(item.event);
      this.#wake?.();
    }
  }

  /** The next event (after the last one returned) that matches; bounded by WAIT_MS. */
  async next<T>(pick: (event: Event) => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      while (this.#cursor < this.events.length) {
        const picked = pick(this.events[this.#cursor++]!);
        if (picked !== undefined) return picked;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  offers(): Promise<Offer[]> {
    return this.next((e) => (e.type === 'OFFERS' ? (e.offers?.offers ?? []) : undefined), 'OFFERS');
  }

  update(taskId: string): Promise<TaskStatus> {
    return this.next((e) => (e.type === 'UPDATE' && e.update?.status.task_id.value === taskId ? e.update.status : undefined), `an update of ${taskId}`);
  }

  /** Events up to (and including) the `count`-th HEARTBEAT from now. */
  async untilHeartbeats(count: number): Promise<Event[]> {
    const seen: Event[] = [];
    for (let i = 0; i < count; i++) {
      await this.next((e) => {
        seen.push(e);
        return e.type === 'HEARTBEAT' ? e : undefined;
      }, 'HEARTBEAT');
    }
    return seen;
  }

  async close(): Promise<void> {
    await this.driver.close();
    await this.#pump;
  }
}

function subscribe(info: Partial<FrameworkInfo> = {}): Framework {
  const framework = new Framework(local.url, info);
  frameworks.push(framework);
  return framework;
}

function shellTask(taskId: string, offer: Offer, command: string, cpus = 0.1): TaskInfo {
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    command: { shell: true, value: command },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ],
  };
}

async function statesUntil(framework: Framework, taskId: string, final: string): Promise<string[]> {
  const states: string[] = [];
  for (let i = 0; i < 10 && states.at(-1) !== final; i++) states.push((await framework.update(taskId)).state);
  return states;
}

function offeredAgents(events: Event[]): string[] {
  return events.flatMap((e) => (e.type === 'OFFERS' ? (e.offers?.offers ?? []).map((o) => o.agent_id.value) : []));
}

beforeAll(async () => {
  local = await startMesosLocal(
    {
      ip: '127.0.0.1',
      port: 0,
      agents: 2,
      simulatedAgents: 0,
      agentResources: 'cpus:2;mem:2048;disk:1000;ports:[31000-31099]',
      allocationIntervalMs: 50,
      heartbeatIntervalSeconds: 0.3,
    },
    logger,
  );
});

afterEach(async () => {
  for (const framework of frameworks) await framework.close();
  frameworks = [];
});

afterAll(async () => {
  await local?.close();
});

describe('pacer mesos-local with the Pacer driver', () => {
  it('runs a shell task on a process agent through STARTING, RUNNING and FINISHED', async () => {
    const fw = subscribe({ name: 'echo' });
    const [offer, ...rest] = await fw.offers();
    await fw.driver.accept([offer!.id], [{ type: 'LAUNCH', launch: { task_infos: [shellTask('echo-1', offer!, 'echo hello; sleep 1')] } }]);
    if (rest.length > 0) await fw.driver.decline(rest.map((o) => o.id));

    const states = await statesUntil(fw, 'echo-1', 'TASK_FINISHED');
    expect(states).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);

    const agent = local.agents.find((a) => a.id === offer!.agent_id.value)!;
    const sandbox = agent.sandboxOf('echo-1');
    expect(sandbox).toBeDefined();
    expect(await readFile(path.join(sandbox!, 'stdout'), 'utf8')).toContain('hello');
    // Every update was acknowledged, so the master holds none for resending.
    expect(local.master.pendingStatusUpdates(fw.frameworkId)).toBe(0);
  });

  it('reconciles tasks and kills a running one', async () => {
    const fw = subscribe({ name: 'reconcile-kill', capabilities: [{ type: 'PARTITION_AWARE' }] });
    const [offer, ...rest] = await fw.offers();
    await fw.driver.accept([offer!.id], [{ type: 'LAUNCH', launch: { task_infos: [shellTask('sleeper', offer!, 'sleep 30')] } }]);
    if (rest.length > 0) await fw.driver.decline(rest.map((o) => o.id));
    expect(await statesUntil(fw, 'sleeper', 'TASK_RUNNING')).toEqual(['TASK_STARTING', 'TASK_RUNNING']);

    // Implicit: every task the master knows, from the master, without a uuid.
    await fw.driver.reconcile();
    const implicit = await fw.update('sleeper');
    expect(implicit).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(implicit.uuid).toBeUndefined();

    // Explicit, for a task the registered agent does not have: gone, for a partition-aware framework.
    await fw.driver.reconcile([{ task_id: { value: 'never-launched' }, agent_id: offer!.agent_id }]);
    expect(await fw.update('never-launched')).toMatchObject({ state: 'TASK_GONE', reason: 'REASON_RECONCILIATION' });

    await fw.driver.kill({ value: 'sleeper' }, offer!.agent_id);
    const killed = await statesUntil(fw, 'sleeper', 'TASK_KILLED');
    expect(killed.at(-1)).toBe('TASK_KILLED');
  });

  it('honours decline filters until REVIVE clears them', async () => {
    const fw = subscribe({ name: 'decline' });
    const first = await fw.offers();
    const declinedAgent = first[0]!.agent_id.value;
    await fw.driver.decline([first[0]!.id], { refuse_seconds: 120 });
    if (first.length > 1)
      await fw.driver.decline(
        first.slice(1).map((o) => o.id),
        { refuse_seconds: 0.01 },
      );

    const meanwhile = await fw.untilHeartbeats(2);
    const offered = offeredAgents(meanwhile);
    // The other agent comes back once its tiny filter expires; the declined one does not.
    expect(offered.length).toBeGreaterThan(0);
    expect(offered).not.toContain(declinedAgent);

    await fw.driver.revive();
    const revived = await fw.next((e) => {
      const agents = e.type === 'OFFERS' ? (e.offers?.offers ?? []).map((o) => o.agent_id.value) : [];
      return agents.includes(declinedAgent) ? agents : undefined;
    }, 'an offer of the declined agent after REVIVE');
    expect(revived).toContain(declinedAgent);
  });

  it('sends offer calls without waiting for each other, and a REVIVE right behind DECLINEs clears their filters', async () => {
    const fw = subscribe({ name: 'ordered-calls' });
    const offers: Offer[] = [];
    while (new Set(offers.map((o) => o.agent_id.value)).size < 2) offers.push(...(await fw.offers()));
    const [launchOn, ...others] = offers;
    // One ACCEPT and a DECLINE with a long filter per other offer, all in flight together, and
    // a REVIVE submitted right behind them without waiting for any answer.
    const offerCalls = [
      fw.driver.accept([launchOn!.id], [{ type: 'LAUNCH', launch: { task_infos: [shellTask('ordered-1', launchOn!, 'echo ordered')] } }]),
      ...others.map((o) => fw.driver.decline([o.id], { refuse_seconds: 120 })),
    ];
    const revive = fw.driver.revive();
    await Promise.all([...offerCalls, revive]);

    // Had the REVIVE reached the master before a DECLINE, that DECLINE's 120 s filter would
    // hold its agent back; it went out only after all of them were answered.
    const declinedAgents = new Set(others.map((o) => o.agent_id.value));
    declinedAgents.delete(launchOn!.agent_id.value);
    const seen = new Set<string>();
    let finished = false;
    await fw.next((e) => {
      for (const o of e.type === 'OFFERS' ? (e.offers?.offers ?? []) : []) seen.add(o.agent_id.value);
      if (e.type === 'UPDATE' && e.update?.status.task_id.value === 'ordered-1' && e.update.status.state === 'TASK_FINISHED') finished = true;
      return finished && [...declinedAgents].every((a) => seen.has(a)) ? true : undefined;
    }, 'the launched task to finish and every declined agent to be offered again');
    expect(declinedAgents.size).toBeGreaterThan(0);
  });

  it('sends no offers while suppressed and offers again after REVIVE', async () => {
    const fw = subscribe({ name: 'suppress' });
    const offers = await fw.offers();
    await fw.driver.suppress();
    await fw.driver.decline(
      offers.map((o) => o.id),
      { refuse_seconds: 0 },
    );

    const meanwhile = await fw.untilHeartbeats(2);
    expect(offeredAgents(meanwhile)).toEqual([]);

    await fw.driver.revive();
    expect((await fw.offers()).length).toBeGreaterThan(0);
  });

  it('gives a second framework offers while the first holds its own (DRF)', async () => {
    const busy = subscribe({ name: 'busy' });
    const offers = await busy.offers();
    expect(offers.length).toBe(2);
    const [used, held] = offers;
    // One task on the first agent; the rest of that offer goes back with no filter at all, so
    // only the allocator's fairness decides who gets it next.
    await busy.driver.accept([used!.id], [{ type: 'LAUNCH', launch: { task_infos: [shellTask('busy-task', used!, 'sleep 30', 1)] } }], { refuse_seconds: 0 });
    // From now on the first framework turns every new offer down without a filter: it stays
    // eligible for them, so only fairness keeps them from coming straight back to it.
    busy.onOffers = (again) =>
      void busy.driver
        .decline(
          again.map((o) => o.id),
          { refuse_seconds: 0 },
        )
        .catch(() => undefined);
    expect(await statesUntil(busy, 'busy-task', 'TASK_RUNNING')).toContain('TASK_RUNNING');

    const newcomer = subscribe({ name: 'newcomer' });
    const given = await newcomer.offers();
    expect(given.map((o) => o.agent_id.value)).toContain(used!.agent_id.value);
    // The first framework still holds its untouched offer of the other agent.
    expect(local.master.outstandingOffers(busy.frameworkId).map((o) => o.id)).toContain(held!.id.value);
    await busy.driver.kill({ value: 'busy-task' }, used!.agent_id);
    await statesUntil(busy, 'busy-task', 'TASK_KILLED');
  });
});
