import type { TaskJson } from '../types.js';
import { dash } from './format.js';
import { renderTable, type Column } from './table.js';

function health(task: TaskJson): string {
  const results = task.healthCheckResults ?? [];
  if (results.length === 0) return '-';
  return results.every((r) => r.alive === true) ? 'healthy' : 'unhealthy';
}

function ports(task: TaskJson): string {
  return task.ports === undefined || task.ports.length === 0 ? '-' : task.ports.join(',');
}

export function renderTasksTable(tasks: readonly TaskJson[], maxWidth?: number, withApp = true): string {
  if (tasks.length === 0) return 'No tasks.\n';
  const columns: Column[] = [
    { header: 'ID', minWidth: 16 },
    ...(withApp ? [{ header: 'APP' }] : []),
    { header: 'STATE' },
    { header: 'HOST' },
    { header: 'PORTS' },
    { header: 'HEALTH' },
    { header: 'STARTED' },
  ];
  const rows = [...tasks]
    .sort((a, b) => (a.appId ?? '').localeCompare(b.appId ?? '') || a.id.localeCompare(b.id))
    .map((t) => [t.id, ...(withApp ? [dash(t.appId)] : []), dash(t.state), dash(t.host), ports(t), health(t), dash(t.startedAt)]);
  return renderTable(columns, rows, maxWidth);
}
