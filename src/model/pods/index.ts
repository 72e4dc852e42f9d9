export { parsePod, parsePodBody, parsePodOrThrow, type PodParseResult } from './parse.js';
export { renderPod } from './render.js';
export type * from './types.js';
