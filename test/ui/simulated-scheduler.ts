/**
 * Test driver for FakePacerService: plays the orchestrator's part so the UI can be exercised over
 * the real REST facade and SSE stream before the real scheduler is wired in. Each tick it moves
 * every running deployment one step (an instance is staged, then runs, then turns healthy; extra
 * or removed instances are killed), publishes the Marathon events the real scheduler would, and
 * finishes the deployment when the apps match their definitions. Apps that ask for more CPUs
 * than the simulated agent has wait in the launch queue with Marathon's rejection summary.
 *
 * This is NOT the scheduler under test; it only exists until test/ui/target.ts starts the real
 * `pacer --master local`.
 */
import type { FakePacerService } from '../fakes/fake-service.js';
import { timestamp, type AppDefinition, type DeploymentPlan, type Instance } from '../../src/scheduler/contracts.js';

const AGENT = { id: 'sim-agent-S0', hostname: '127.0.0.1', cpus: 8, mem: 16384 };

export class SimulatedScheduler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly announced = new Set<string>();
  private nextPort = 31000;
  private nextId = 0;

  constructor(
    private readonly service: FakePacerService,
    private readonly stepMs = 300,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.stepMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    for (const plan of [...this.service.deployments()]) this.advance(plan);
  }

  private advance(plan: DeploymentPlan): void {
    if (!this.announced.has(plan.id)) {
      this.announced.add(plan.id);
      plan.currentStep = 1;
      plan.currentActions = (plan.steps[0]?.actions ?? []).map((a) => ({ ...a, readinessCheckResults: [] }));
      this.publish('deployment_info', { plan: lightPlan(plan), currentStep: { actions: plan.steps[0]?.actions ?? [] } });
      return;
    }
    let converged = true;
    for (const appId of plan.affectedApps) converged = this.converge(appId) && converged;
    if (plan.currentStep < plan.steps.length) {
      plan.currentStep++;
      plan.currentActions = (plan.steps[plan.currentStep - 1]?.actions ?? []).map((a) => ({ ...a, readinessCheckResults: [] }));
      this.publish('deployment_step_success', { plan: lightPlan(plan), currentStep: { actions: plan.currentActions } });
      return;
    }
    if (!converged) return;
    this.service.finishDeployment(plan.id);
    this.publish('deployment_success', { id: plan.id, plan: lightPlan(plan) });
  }

  /** One change per app per tick; true when the app matches its definition. */
  private converge(appId: string): boolean {
    const app = this.service.app(appId);
    const instances = this.service.instances.ofApp(appId);
    if (app === undefined) {
      for (const i of instances) this.kill(i);
      if (instances.length > 0) this.publish('app_terminated_event', { appId });
      this.setQueued(appId, undefined);
      return true;
    }
    if (app.cpus > AGENT.cpus || app.mem > AGENT.mem) {
      this.setQueued(appId, app);
      return instances.length === 0;
    }
    this.setQueued(appId, undefined);
    const outdated = instances.find((i) => i.runSpecVersion !== app.versionInfo?.lastConfigChangeAt && i.runSpecVersion !== app.version);
    if (instances.length > app.instances) {
      this.kill(instances[instances.length - 1]!);
      return false;
    }
    const progressing = instances.find((i) => i.condition !== 'Running' || (app.healthChecks.length > 0 && this.service.health.healthy.get(i.instanceId) !== true));
    if (progressing !== undefined) {
      this.step(progressing, app);
      return false;
    }
    if (instances.length < app.instances) {
      this.stage(app);
      return false;
    }
    if (outdated !== undefined) {
      this.kill(outdated);
      return false;
    }
    return true;
  }

  private stage(app: AppDefinition): void {
    const now = Date.now();
    const instanceId = `${app.id.slice(1).replace(/\//g, '_')}.instance-sim${String(this.nextId++).padStart(4, '0')}`;
    const instance: Instance = {
      instanceId,
      appId: app.id,
      runSpecVersion: app.version ?? timestamp(now),
      goal: 'Running',
      condition: 'Staging',
      since: now,
      taskId: `${instanceId}._app.1`,
      incarnation: 1,
      agentId: AGENT.id,
      hostname: AGENT.hostname,
      hostPorts: app.portDefinitions.map(() => this.nextPort++),
      ipAddresses: [{ ipAddress: '127.0.0.1', protocol: 'IPv4' }],
      stagedAt: timestamp(now),
      role: app.role,
      status: { state: 'TASK_STAGING', timestamp: now },
    };
    this.service.instances.put(instance);
    this.statusEvent(instance, 'TASK_STAGING');
  }

  private step(instance: Instance, app: AppDefinition): void {
    const now = Date.now();
    if (instance.condition !== 'Running') {
      const running: Instance = { ...instance, condition: 'Running', since: now, startedAt: timestamp(now), status: { state: 'TASK_RUNNING', timestamp: now } };
      this.service.instances.put(running);
      this.statusEvent(running, 'TASK_RUNNING');
      return;
    }
    if (app.healthChecks.length === 0) return;
    this.service.health.healthy.set(instance.instanceId, true);
    this.service.health.results.set(instance.instanceId, [
      { instanceId: instance.instanceId, alive: true, consecutiveFailures: 0, firstSuccess: timestamp(now), lastSuccess: timestamp(now), lastFailure: null, lastFailureCause: null },
    ]);
    this.publish('instance_health_changed_event', { instanceId: instance.instanceId, runSpecId: app.id, healthy: true, runSpecVersion: instance.runSpecVersion });
  }

  private kill(instance: Instance): void {
    this.service.instances.expunge(instance.instanceId);
    this.service.health.healthy.delete(instance.instanceId);
    this.service.health.results.delete(instance.instanceId);
    this.statusEvent(instance, 'TASK_KILLED');
  }

  private setQueued(appId: string, app: AppDefinition | undefined): void {
    const others = this.service.queueEntries.filter((e) => e.app.id !== appId);
    if (app === undefined) {
      if (others.length !== this.service.queueEntries.length) this.service.queueEntries = others;
      return;
    }
    const existing = this.service.queueEntries.find((e) => e.app.id === appId);
    const processed = (existing === undefined ? 0 : (existing.processedOffersSummary as { processedOffersCount: number }).processedOffersCount) + 1;
    const now = timestamp(Date.now());
    const reasons = ['UnfulfilledRole', 'UnfulfilledConstraint', 'NoCorrespondingReservationFound', 'AgentMaintenance', 'InsufficientCpus', 'InsufficientMemory', 'InsufficientDisk', 'InsufficientGpus', 'InsufficientPorts', 'DeclinedScarceResources'];
    const declined = (reason: string): number => (reason === 'InsufficientCpus' && app.cpus > AGENT.cpus) || (reason === 'InsufficientMemory' && app.mem > AGENT.mem) ? processed : 0;
    const summary = reasons.map((reason) => ({ reason, declined: declined(reason), processed }));
    const entry = {
      app,
      count: app.instances,
      delay: { timeLeftSeconds: 0, overdue: true },
      since: existing?.since ?? now,
      processedOffersSummary: {
        processedOffersCount: processed,
        unusedOffersCount: processed,
        lastUnusedOfferAt: now,
        rejectSummaryLastOffers: summary,
        rejectSummaryLaunchAttempt: summary,
      },
      lastUnusedOffers: [
        {
          offer: {
            id: `offer-${processed}`,
            agentId: AGENT.id,
            hostname: AGENT.hostname,
            resources: [
              { name: 'cpus', scalar: AGENT.cpus, role: '*' },
              { name: 'mem', scalar: AGENT.mem, role: '*' },
              { name: 'ports', ranges: [{ begin: 31000, end: 32000 }], role: '*' },
            ],
            attributes: [],
          },
          timestamp: now,
          reason: summary.filter((s) => s.declined > 0).map((s) => s.reason),
        },
      ],
    };
    this.service.queueEntries = [...others, entry];
  }

  private statusEvent(instance: Instance, state: string): void {
    this.publish('status_update_event', {
      slaveId: instance.agentId,
      taskId: instance.taskId,
      taskStatus: state,
      message: '',
      appId: instance.appId,
      host: instance.hostname,
      ipAddresses: instance.ipAddresses,
      ports: instance.hostPorts,
      version: instance.runSpecVersion,
    });
    this.publish('instance_changed_event', {
      instanceId: instance.instanceId,
      condition: state === 'TASK_KILLED' ? 'Killed' : state === 'TASK_RUNNING' ? 'Running' : 'Staging',
      runSpecId: instance.appId,
      agentId: instance.agentId,
      host: instance.hostname,
      runSpecVersion: instance.runSpecVersion,
    });
  }

  private publish(eventType: string, fields: Record<string, unknown>): void {
    this.service.events.publish({ ...fields, eventType, timestamp: timestamp(Date.now()) });
  }
}

function lightPlan(plan: DeploymentPlan): Record<string, unknown> {
  return { id: plan.id, steps: plan.steps, version: plan.version };
}
