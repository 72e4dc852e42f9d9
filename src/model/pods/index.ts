export { parsePod, parsePodBody, type PodParseResult } from './parse.js';
export { renderPod } from './render.js';
export type * from './types.js';
