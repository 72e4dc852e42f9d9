/**
 * Entry point for pod bodies, following Marathon's PodsResource: JSON -> RAML `Pod` reads (422 `Invalid JSON`)
 * -> PodsValidation.podValidator (422 `Object is not valid`) -> PodNormalization -> PodConversion ->
 * podDefValidator. Every refusal is the same `AppValidationError` (status + Marathon body) apps use.
 */
import { AppValidationError } from '../apps/errors.js';
import type { PodDefinition, PodParseOptions } from './types.js';

export type PodParseResult = { ok: true; pod: PodDefinition } | { ok: false; failure: AppValidationError };

/** A parsed JSON value (the body of POST /v2/pods, PUT /v2/pods/{id}, or a group's `pods[]` entry) -> canonical pod. */
export function parsePod(json: unknown, ctx: PodParseOptions): PodParseResult {
  void json;
  void ctx;
  throw new Error('parsePod: not implemented yet');
}

/** Raw request text -> canonical pod; empty or unparsable text gives Marathon's 400 answers. */
export function parsePodBody(body: string, ctx: PodParseOptions): PodParseResult {
  void body;
  void ctx;
  throw new Error('parsePodBody: not implemented yet');
}
