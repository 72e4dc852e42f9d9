import type { AppJson } from '../types.js';
import { dash, formatNumber, shortDeploymentIds } from './format.js';
import { renderTable, type Column } from './table.js';
import { renderTasksTable } from './tasks.js';

const APP_COLUMNS: Column[] = [
  { header: 'ID', minWidth: 12 },
  { header: 'INSTANCES', align: 'right' },
  { header: 'HEALTH' },
  { header: 'DEPLOYMENTS' },
  { header: 'CPUS', align: 'right' },
  { header: 'MEM', align: 'right' },
];

/** `running/target`, with staged tasks noted while they start. */
export function instancesCell(app: AppJson): string {
  const staged = app.tasksStaged ?? 0;
  return `${app.tasksRunning ?? 0}/${app.instances ?? 0}${staged > 0 ? ` (+${staged} staged)` : ''}`;
}

/** '-' without health checks (then running is all Marathon knows), else healthy and unhealthy counts. */
export function healthCell(app: AppJson): string {
  if (!Array.isArray(app.healthChecks) || app.healthChecks.length === 0) return '-';
  const unhealthy = app.tasksUnhealthy ?? 0;
  return `${app.tasksHealthy ?? 0} healthy${unhealthy > 0 ? `, ${unhealthy} unhealthy` : ''}`;
}

export function renderAppsTable(apps: readonly AppJson[], maxWidth?: number): string {
  if (apps.length === 0) return 'No apps.\n';
  const rows = [...apps]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((a) => [a.id, instancesCell(a), healthCell(a), shortDeploymentIds(a.deployments), formatNumber(a.cpus), formatNumber(a.mem)]);
  return renderTable(APP_COLUMNS, rows, maxWidth);
}

function command(app: AppJson): string {
  if (typeof app.cmd === 'string' && app.cmd !== '') return app.cmd;
  if (Array.isArray(app.args) && app.args.length > 0) return app.args.join(' ');
  const image = app.container?.docker?.image;
  return image === undefined ? '-' : `(image ${image})`;
}

export function renderAppDetail(app: AppJson, maxWidth?: number): string {
  const fields: Array<[string, string]> = [
    ['ID', app.id],
    ['Command', command(app)],
    ['Instances', instancesCell(app)],
    ['Health', healthCell(app)],
    ['Resources', `cpus ${formatNumber(app.cpus)}, mem ${formatNumber(app.mem)}, disk ${formatNumber(app.disk)}`],
    ['Version', dash(app.version)],
    ['Deployments', app.deployments === undefined || app.deployments.length === 0 ? '-' : app.deployments.map((d) => d.id).join(', ')],
  ];
  const f = app.lastTaskFailure;
  if (f !== undefined) {
    fields.push(['Last failure', `${dash(f.timestamp)} ${dash(f.state)} ${dash(f.taskId)} on ${dash(f.host)}: ${dash(f.message)}`]);
  }
  const labelWidth = Math.max(...fields.map(([k]) => k.length)) + 1;
  const head = fields.map(([k, v]) => `${`${k}:`.padEnd(labelWidth)} ${v}`).join('\n');
  const tasks = app.tasks ?? [];
  return `${head}\n\n${tasks.length === 0 ? 'No tasks.\n' : renderTasksTable(tasks, maxWidth, false)}`;
}
