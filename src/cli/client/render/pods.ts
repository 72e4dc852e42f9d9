import type { ContainerStatusJson, PodJson, PodStatusJson } from '../types.js';
import { dash, formatNumber } from './format.js';
import { renderTable, type Column } from './table.js';

const POD_COLUMNS: Column[] = [
  { header: 'ID', minWidth: 12 },
  { header: 'STATUS' },
  { header: 'INSTANCES', align: 'right' },
  { header: 'CONTAINERS' },
  { header: 'CPUS', align: 'right' },
  { header: 'MEM', align: 'right' },
];

/** What one instance of the pod holds on its agent: the containers' resources plus the executor's. */
export function podResources(pod: PodJson | undefined): { cpus: number; mem: number } | undefined {
  if (pod?.containers === undefined) return undefined;
  const sum = (key: 'cpus' | 'mem'): number => pod.containers!.reduce((total, c) => total + (c.resources?.[key] ?? 0), 0) + (pod.executorResources?.[key] ?? 0);
  return { cpus: sum('cpus'), mem: sum('mem') };
}

/** `stable/target`: instances whose every container runs (and is healthy), out of `scaling.instances`. */
export function podInstancesCell(status: PodStatusJson): string {
  const instances = status.instances ?? [];
  const stable = instances.filter((i) => i.status === 'STABLE').length;
  const starting = instances.filter((i) => i.status === 'PENDING' || i.status === 'STAGING').length;
  return `${stable}/${status.spec?.scaling?.instances ?? 0}${starting > 0 ? ` (+${starting} starting)` : ''}`;
}

export function renderPodsTable(pods: readonly PodStatusJson[], maxWidth?: number): string {
  if (pods.length === 0) return 'No pods.\n';
  const rows = [...pods]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((p) => {
      const res = podResources(p.spec);
      const names = (p.spec?.containers ?? []).map((c) => c.name).join(',');
      return [p.id, dash(p.status), podInstancesCell(p), dash(names), formatNumber(res?.cpus), formatNumber(res?.mem)];
    });
  return renderTable(POD_COLUMNS, rows, maxWidth);
}

function containerCommand(c: NonNullable<PodJson['containers']>[number]): string {
  const cmd = c.exec?.command;
  if (typeof cmd?.shell === 'string') return cmd.shell;
  if (Array.isArray(cmd?.argv)) return cmd.argv.join(' ');
  return c.image?.id === undefined ? '-' : `(image ${c.image.id})`;
}

function endpointsCell(c: ContainerStatusJson): string {
  const endpoints = c.endpoints ?? [];
  if (endpoints.length === 0) return '-';
  return endpoints.map((e) => `${e.name}${e.allocatedHostPort === undefined ? '' : `:${e.allocatedHostPort}`}`).join(',');
}

function healthCell(c: ContainerStatusJson): string {
  const known = (c.endpoints ?? []).filter((e) => e.healthy !== undefined);
  const ready = (c.conditions ?? []).find((cond) => cond.name === 'healthy');
  if (known.length > 0) return known.every((e) => e.healthy === true) ? 'healthy' : 'unhealthy';
  if (ready?.value !== undefined) return ready.value === 'true' ? 'healthy' : 'unhealthy';
  return '-';
}

const INSTANCE_COLUMNS: Column[] = [
  { header: 'INSTANCE', minWidth: 16 },
  { header: 'STATUS' },
  { header: 'CONTAINER' },
  { header: 'STATE' },
  { header: 'HOST' },
  { header: 'ENDPOINTS' },
  { header: 'HEALTH' },
];

export function renderPodDetail(status: PodStatusJson, maxWidth?: number): string {
  const pod = status.spec;
  const res = podResources(pod);
  const fields: Array<[string, string]> = [
    ['ID', status.id],
    ['Status', `${dash(status.status)}${status.message === undefined ? '' : ` (${status.message})`}`],
    ['Instances', podInstancesCell(status)],
    ['Per instance', res === undefined ? '-' : `cpus ${formatNumber(res.cpus)}, mem ${formatNumber(res.mem)} (with the executor's)`],
    ['Version', dash(pod?.version)],
  ];
  for (const c of pod?.containers ?? []) {
    fields.push([`Container ${c.name}`, `${containerCommand(c)}  [cpus ${formatNumber(c.resources?.cpus)}, mem ${formatNumber(c.resources?.mem)}]`]);
  }
  const labelWidth = Math.max(...fields.map(([k]) => k.length)) + 1;
  const head = fields.map(([k, v]) => `${`${k}:`.padEnd(labelWidth)} ${v}`).join('\n');
  const instances = [...(status.instances ?? [])].sort((a, b) => a.id.localeCompare(b.id));
  if (instances.length === 0) return `${head}\n\nNo instances.\n`;
  const rows = instances.flatMap((i) => {
    const containers = i.containers ?? [];
    if (containers.length === 0) return [[i.id, dash(i.status), '-', '-', dash(i.agentHostname), '-', '-']];
    return containers.map((c) => [i.id, dash(i.status), c.name, dash(c.status), dash(i.agentHostname), endpointsCell(c), healthCell(c)]);
  });
  return `${head}\n\n${renderTable(INSTANCE_COLUMNS, rows, maxWidth)}`;
}
