/** Bad matcher input. Rejections of offers are data (see reasons.ts), never errors. */
export type MatchingErrorCode =
  'PACER_MATCH_BAD_CONSTRAINT' | 'PACER_MATCH_BAD_REQUEST' | 'PACER_MATCH_BAD_OFFER' | 'PACER_MATCH_BAD_LABEL' | 'PACER_MATCH_DUPLICATE_KEY';

export class MatchingInputError extends Error {
  readonly code: MatchingErrorCode;
  /** Where in the input, e.g. `constraints[1]` or `resources[3]`. */
  readonly path: string;

  constructor(code: MatchingErrorCode, path: string, message: string) {
    super(message);
    this.name = 'MatchingInputError';
    this.code = code;
    this.path = path;
  }
}
