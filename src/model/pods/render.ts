import type { PodDefinition } from './types.js';

/** The JSON Marathon answers for a pod (GET /v2/pods/{id}): empty `omitEmpty` maps/lists and absent options left out. */
export function renderPod(pod: PodDefinition): Record<string, unknown> {
  void pod;
  throw new Error('renderPod: not implemented yet');
}
