/** Failures of the orchestrator core. Rejections of offers are data, never these. */
export type CoreErrorCode =
  'PACER_CORE_BAD_ID' | 'PACER_CORE_APP_VERSION' | 'PACER_CORE_BAD_COUNT' | 'PACER_CORE_TASK_BUILD' | 'PACER_CORE_NOT_STARTED' | 'PACER_CORE_STOPPED';

export class CoreError extends Error {
  readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreError';
    this.code = code;
  }
}
