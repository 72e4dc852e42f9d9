/** Small formatting helpers shared by the views. */

export function dash(value: string | number | undefined | null): string {
  if (value === undefined || value === null || value === '') return '-';
  return String(value);
}

/** 0.1 → "0.1", 128 → "128", 0.30000000000000004 → "0.3" */
export function formatNumber(value: number | undefined | null): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '-';
  return String(Math.round(value * 1000) / 1000);
}

export function shortDeploymentIds(deployments: ReadonlyArray<{ id: string }> | undefined): string {
  if (deployments === undefined || deployments.length === 0) return '-';
  return deployments.map((d) => (d.id.length > 8 ? d.id.slice(0, 8) : d.id)).join(',');
}
