/** Marathon timestamps: `yyyy-MM-ddTHH:mm:ss.SSSZ`, always UTC with milliseconds. */
export type Timestamp = string;

export function timestamp(epochMs: number): Timestamp {
  return new Date(epochMs).toISOString();
}
