/** How a task's process ended, as the agent sees it after reaping. */
export type ProcessExit = { readonly kind: 'exited'; readonly code: number } | { readonly kind: 'signaled'; readonly signal: NodeJS.Signals };

// The glibc strsignal() texts, which upstream puts into messages ("terminated with signal Killed").
const SIGNAL_DESCRIPTIONS: Readonly<Partial<Record<NodeJS.Signals, string>>> = {
  SIGHUP: 'Hangup',
  SIGINT: 'Interrupt',
  SIGQUIT: 'Quit',
  SIGILL: 'Illegal instruction',
  SIGTRAP: 'Trace/breakpoint trap',
  SIGABRT: 'Aborted',
  SIGBUS: 'Bus error',
  SIGFPE: 'Floating point exception',
  SIGKILL: 'Killed',
  SIGUSR1: 'User defined signal 1',
  SIGSEGV: 'Segmentation fault',
  SIGUSR2: 'User defined signal 2',
  SIGPIPE: 'Broken pipe',
  SIGALRM: 'Alarm clock',
  SIGTERM: 'Terminated',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'File size limit exceeded',
};

export function processExitFrom(code: number | null, signal: NodeJS.Signals | null): ProcessExit {
  if (signal !== null) return { kind: 'signaled', signal };
  return { kind: 'exited', code: code ?? 0 };
}

/** Upstream's WSTRINGIFY wording: "exited with status 1", "terminated with signal Terminated". */
export function describeExit(exit: ProcessExit): string {
  if (exit.kind === 'exited') return `exited with status ${exit.code}`;
  return `terminated with signal ${SIGNAL_DESCRIPTIONS[exit.signal] ?? exit.signal}`;
}

export function exitedSuccessfully(exit: ProcessExit): boolean {
  return exit.kind === 'exited' && exit.code === 0;
}
