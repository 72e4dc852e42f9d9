import type { DeploymentJson } from '../types.js';
import { dash } from './format.js';
import { renderTable, type Column } from './table.js';

const COLUMNS: Column[] = [
  { header: 'ID', minWidth: 8 },
  { header: 'AFFECTED' },
  { header: 'STEP', align: 'right' },
  { header: 'CURRENT ACTIONS' },
  { header: 'VERSION' },
];

export function renderDeploymentsTable(deployments: readonly DeploymentJson[], maxWidth?: number): string {
  if (deployments.length === 0) return 'No deployments.\n';
  const rows = deployments.map((d) => [
    d.id,
    [...(d.affectedApps ?? []), ...(d.affectedPods ?? [])].join(',') || '-',
    `${d.currentStep ?? 0}/${d.totalSteps ?? d.steps?.length ?? 0}`,
    (d.currentActions ?? []).map((a) => `${a.action} ${a.app ?? a.pod ?? ''}`.trim()).join(', ') || '-',
    dash(d.version),
  ]);
  return renderTable(COLUMNS, rows, maxWidth);
}
