export { AppValidationError, type MarathonErrorBody } from './errors.js';
export { parseAppCreate, parseAppUpdate, normalizeAndValidateApp } from './parse.js';
export { renderApp } from './render.js';
export { isConfigChange } from './change.js';
export { parsePathId, pathIdToMesosName, canonicalPathId } from './path-id.js';
export type * from './types.js';
