/** Failures of the orchestrator core. Rejections of offers are data, never these. */
export type CoreErrorCode =
  | 'ERR_PACER_CORE_BAD_ID'
  | 'ERR_PACER_CORE_APP_VERSION'
  | 'ERR_PACER_CORE_BAD_COUNT'
  | 'ERR_PACER_CORE_TASK_BUILD'
  | 'ERR_PACER_CORE_NOT_STARTED'
  | 'ERR_PACER_CORE_STOPPED';

export class CoreError extends Error {
  readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreError';
    this.code = code;
  }
}
