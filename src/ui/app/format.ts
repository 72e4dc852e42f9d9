/** Human-readable numbers and times for the tables. */

export function formatMem(mib: number | undefined): string {
  if (mib === undefined) return '–';
  return mib >= 1024 ? `${trim(mib / 1024)} GiB` : `${trim(mib)} MiB`;
}

export function formatCpus(cpus: number | undefined): string {
  return cpus === undefined ? '–' : trim(cpus);
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

/** "3s ago", "5m ago", "2h ago", "4d ago"; the absolute time belongs in a title attribute. */
export function ago(iso: string | null | undefined, now: number): string {
  if (iso === null || iso === undefined || iso === '') return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** "1h 02m 03s" style countdown. */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  if (hh > 0) return `${hh}h ${String(mm).padStart(2, '0')}m ${String(ss).padStart(2, '0')}s`;
  if (mm > 0) return `${mm}m ${String(ss).padStart(2, '0')}s`;
  return `${ss}s`;
}

/** "InsufficientMemory" -> "Insufficient memory". */
export function humaniseReason(reason: string): string {
  const words = reason.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Task ids are long; show the part after the app's own prefix. */
export function shortTaskId(taskId: string): string {
  const dot = taskId.indexOf('.');
  return dot >= 0 ? taskId.slice(dot + 1) : taskId;
}
