/**
 * Deployment progress on stderr. On a terminal: one line redrawn in place with a bar of
 * completed steps (the running step counts in part by how many of its instances run).
 * Otherwise: a plain line each time something changed, for logs and CI.
 */

export interface AppProgress {
  id: string;
  running: number;
  target: number;
  /** undefined when the app has no health checks */
  healthy?: number | undefined;
  /** The app is gone (removed, or being removed). */
  gone?: boolean;
}

export interface ProgressState {
  deploymentId: string;
  /** 0 before the first step starts, then 1-based. */
  currentStep: number;
  totalSteps: number;
  /** e.g. `ScaleApplication /sleep` */
  actions: string[];
  apps: AppProgress[];
  elapsedMs: number;
}

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressReporter {
  update(state: ProgressState): void;
  /** The last word on the deployment: finished, failed, timed out. */
  done(message: string): void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MIN_BAR = 10;
const MAX_BAR = 30;

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** Completed fraction in [0, 1]: finished steps plus the share of the current step's instances running. */
export function progressFraction(state: ProgressState): number {
  if (state.totalSteps <= 0) return 0;
  const done = Math.max(0, state.currentStep - 1);
  const scaling = state.actions.some((a) => a.startsWith('Scale') || a.startsWith('Restart'));
  const targets = state.apps.filter((a) => !a.gone && a.target > 0);
  const partial =
    state.currentStep > 0 && scaling && targets.length > 0 ? targets.reduce((sum, a) => sum + Math.min(1, a.running / a.target), 0) / targets.length : 0;
  return Math.min(1, Math.max(0, (done + partial) / state.totalSteps));
}

export function renderBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function appCounts(apps: readonly AppProgress[]): string {
  return apps
    .map((a) => {
      if (a.gone) return `${a.id} removed`;
      const health = a.healthy === undefined ? '' : `, ${a.healthy} healthy`;
      return `${a.id} ${a.running}/${a.target} running${health}`;
    })
    .join('; ');
}

function stepText(state: ProgressState): string {
  return state.currentStep === 0 ? `step 0/${state.totalSteps} (waiting)` : `step ${state.currentStep}/${state.totalSteps}`;
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** One terminal frame, never wider than `columns - 1` (the last column would wrap on some terminals). */
export function renderProgressFrame(state: ProgressState, columns: number, tick: number): string {
  const width = Math.max(20, columns - 1);
  const head = `${SPINNER[tick % SPINNER.length]} ${shortId(state.deploymentId)} `;
  const pct = `${String(Math.floor(progressFraction(state) * 100)).padStart(3)}%`;
  const tail = ` ${pct} ${stepText(state)} ${formatElapsed(state.elapsedMs)}`;
  const detail = [state.actions.join(', '), appCounts(state.apps)].filter((s) => s !== '').join(' · ');
  // The bar gives up width first so the detail fits; below MIN_BAR the detail is cut instead.
  const barWidth = Math.max(MIN_BAR, Math.min(MAX_BAR, width - head.length - tail.length - 2 - (detail === '' ? 0 : detail.length + 1)));
  const line = `${head}${renderBar(progressFraction(state), barWidth)}${tail}${detail === '' ? '' : ` ${detail}`}`;
  return truncate(line, width);
}

/** The plain line for logs; elapsed time is left out so that only real changes print a line. */
export function renderProgressLine(state: ProgressState): string {
  const actions = state.actions.length === 0 ? '' : ` ${state.actions.join(', ')}`;
  const counts = appCounts(state.apps);
  return `deployment ${state.deploymentId} ${stepText(state)}${actions}${counts === '' ? '' : `: ${counts}`}`;
}

class TtyProgress implements ProgressReporter {
  #tick = 0;
  #drawn = false;
  constructor(private readonly out: ProgressStream) {}

  update(state: ProgressState): void {
    this.out.write(`\r\x1b[2K${renderProgressFrame(state, this.out.columns || 80, this.#tick++)}`);
    this.#drawn = true;
  }

  done(message: string): void {
    this.out.write(`${this.#drawn ? '\r\x1b[2K' : ''}${message}\n`);
    this.#drawn = false;
  }
}

class PlainProgress implements ProgressReporter {
  #last = '';
  constructor(private readonly out: ProgressStream) {}

  update(state: ProgressState): void {
    const line = renderProgressLine(state);
    if (line === this.#last) return;
    this.#last = line;
    this.out.write(`${line}\n`);
  }

  done(message: string): void {
    this.out.write(`${message}\n`);
  }
}

export function progressReporter(out: ProgressStream): ProgressReporter {
  return out.isTTY === true ? new TtyProgress(out) : new PlainProgress(out);
}
