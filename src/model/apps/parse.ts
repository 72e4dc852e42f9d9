/**
 * Entry points for app bodies, following Marathon's pipeline (AppHelpers.appNormalization):
 * JSON parse -> RAML type check (422 `Invalid JSON`) -> deprecated-field rules -> deprecated translation
 * -> role default -> canonical rules (422 `Object is not valid`) -> post-validation defaults
 * -> canonical AppDefinition -> model-level rules.
 */
import { AppValidationError, emptyBody, NormalizationConflict, plainError, semanticError, typeError, unparsableJson, type ViolationSink } from './errors.js';
import { checkAppTypes } from './json-schema.js';
import {
  defaultUnreachable,
  DEFAULT_UPGRADE,
  forDeprecated,
  forDeprecatedUpdate,
  forPostValidation,
  forPreValidation,
  hasPersistentVolumes,
  RESIDENT_UPGRADE,
  toDefinition,
} from './normalize.js';
import { canonicalPathId, parsePathId } from './path-id.js';
import { readApp, readAppUpdate, unique, withTopLevelDefaults, type RamlApp, type RamlAppUpdate } from './read.js';
import { renderApp } from './render.js';
import type { AppDefinition, AppParseOptions } from './types.js';
import { roleSettingsFor, validateCanonicalApp, validateDefinition, validateOldAppApi, type RoleSettings } from './validate.js';

export type { AppParseOptions } from './types.js';
export type { RoleSettings } from './validate.js';

export interface AppRoleOptions {
  /**
   * Default and valid roles for an app id, read from the current root group (top-level group
   * `enforceRole`, the stored app's role). Without it no group enforces its role.
   */
  roleSettings?: (appId: string) => RoleSettings;
}

export type AppBodyOptions = AppParseOptions & AppRoleOptions;

export interface AppUpdateOptions extends AppParseOptions, AppRoleOptions {
  /** The stored app at this id, if any. */
  existing?: AppDefinition;
  /** PATCH, or PUT with `partialUpdate=true` (Marathon's default): merge onto `existing`. */
  partial: boolean;
  /** The id from the URL; it wins over any `id` in the body. */
  idFromPath: string;
}

/** Raw request body text -> canonical app, or throws AppValidationError with Marathon's status/body. */
export function parseAppCreate(body: string, opts: AppBodyOptions): AppDefinition {
  return normalizeAndValidateApp(parseJsonBody(body), opts);
}

/** Validate an already-parsed JSON value (a full RAML `App`, used by POST and batch endpoints). */
export function normalizeAndValidateApp(value: unknown, opts: AppBodyOptions): AppDefinition {
  return finishApp(readTypedApp(value), opts);
}

/**
 * PUT (full replacement, or create) and PATCH / partial PUT (merge onto `existing`, or onto Marathon's
 * empty template when there is none). A body of only `{"version": …}` (with an optional `id`) asks for a
 * rollback of an existing app and yields `{ rollbackTo }`.
 */
export function parseAppUpdate(body: string, opts: AppUpdateOptions): AppDefinition | { rollbackTo: string } {
  const value = parseJsonBody(body);
  if (!isPlainObject(value)) throw typeError([{ path: '', error: 'error.expected.jsobject' }]);
  const id = parsePathId(opts.idFromPath);
  const context = { existingRole: opts.existing?.role };

  if (!opts.partial) return keepVersion(finishApp(readTypedApp({ ...value, id }), opts, context), opts.existing);

  const stripped = stripNulls(value) as Record<string, unknown>;
  const typeViolations = checkAppTypes(stripped, true);
  if (typeViolations.length > 0) throw typeError(typeViolations);
  const update = guard(() => forDeprecatedUpdate(readAppUpdate(stripped)));

  if (update.version !== undefined) {
    const others = Object.entries(update as Record<string, unknown>).filter(([key, v]) => v !== undefined && key !== 'version' && key !== 'id');
    if (others.length > 0) {
      throw semanticError([{ path: '/', error: "The 'version' field may only be combined with the 'id' field." }]);
    }
    if (opts.existing !== undefined) return { rollbackTo: update.version };
  }

  const base = opts.existing !== undefined ? baseFromExisting(opts.existing) : templateFor(id, update);
  const merged: RamlApp = { ...base };
  for (const [key, v] of Object.entries(update as Record<string, unknown>)) {
    if (v !== undefined && key !== 'version' && key !== 'versionInfo') (merged as unknown as Record<string, unknown>)[key] = v;
  }
  merged.id = id;
  return keepVersion(finishApp(merged, opts, context), opts.existing);
}

// ---------------------------------------------------------------------------------------------

/** Body text -> JSON value, with Marathon's 400 answers for empty and unparsable bodies. */
export function parseJsonBody(body: string): unknown {
  if (body.trim().length === 0) throw emptyBody();
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    throw unparsableJson(err instanceof Error ? err.message : String(err));
  }
}

function readTypedApp(value: unknown): RamlApp {
  // Marathon's reader looks `id` up in whatever it gets, so a non-object body lacks an id.
  if (!isPlainObject(value)) throw typeError([{ path: '/id', error: 'error.path.missing' }]);
  const stripped = stripNulls(value) as Record<string, unknown>;
  const violations = checkAppTypes(stripped);
  if (violations.length > 0) throw typeError(violations);
  return readApp(stripped);
}

function finishApp(raml: RamlApp, opts: AppBodyOptions, context: { existingRole?: string | undefined } = {}): AppDefinition {
  const app: RamlApp = {
    ...raml,
    id: canonicalPathId(raml.id),
    dependencies: unique(raml.dependencies.map((d) => canonicalPathId(d))),
  };
  throwIfAny(validateOldAppApi(app));
  const migrated = guard(() => forDeprecated(app));
  const roles = opts.roleSettings?.(app.id) ?? roleSettingsFor(app.id, opts.mesosRole, { enforceRole: false, existingRole: context.existingRole });
  const pre = forPreValidation(migrated, roles.defaultRole);
  throwIfAny(validateCanonicalApp(pre, opts, roles.validRoles));
  const definition = guard(() => toDefinition(forPostValidation(pre, opts)));
  throwIfAny(validateDefinition(definition));
  return definition;
}

function baseFromExisting(existing: AppDefinition): RamlApp {
  const { version: _v, versionInfo: _vi, ...rendered } = renderApp(existing);
  return readApp(rendered);
}

/** AppHelpers.withoutPriorAppDefinition: an empty app (no ports) carrying the update's role and strategies. */
function templateFor(id: string, update: RamlAppUpdate): RamlApp {
  const resident = hasPersistentVolumes(update.container);
  const external = update.container?.volumes.some((v) => v.kind === 'external') ?? false;
  const template: RamlAppUpdate & { id: string } = {
    id,
    networks: [{ mode: 'host', labels: {} }],
    portDefinitions: [],
    upgradeStrategy: { ...(resident || external ? RESIDENT_UPGRADE : DEFAULT_UPGRADE) },
    unreachableStrategy: update.unreachableStrategy ?? defaultUnreachable(resident),
  };
  return withTopLevelDefaults(template);
}

function keepVersion(app: AppDefinition, existing: AppDefinition | undefined): AppDefinition {
  if (existing?.version !== undefined) app.version = existing.version;
  if (existing?.versionInfo !== undefined) app.versionInfo = { ...existing.versionInfo };
  return app;
}

function throwIfAny(sink: ViolationSink): void {
  if (!sink.empty) throw semanticError(sink.list);
}

function guard<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof NormalizationConflict) throw plainError(err.message);
    throw err;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys whose object values are maps (string keys chosen by the user): a null there is a type error. */
const MAP_KEYS = new Set(['labels', 'env', 'secrets', 'options', 'nodeStageSecret', 'nodePublishSecret', 'volumeContext']);

/**
 * Play reads an optional field holding `null` as absent; maps keep their nulls (and fail the type check).
 * `mapKeys` names the fields holding maps (pods use `environment` where apps use `env`).
 */
export function stripNulls(v: unknown, isMap = false, mapKeys: ReadonlySet<string> = MAP_KEYS): unknown {
  if (Array.isArray(v)) return v.map((x) => stripNulls(x, false, mapKeys));
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(v)) {
    if (value === null && !isMap) continue;
    out[key] = stripNulls(value, !isMap && mapKeys.has(key), mapKeys);
  }
  return out;
}

export { AppValidationError };
