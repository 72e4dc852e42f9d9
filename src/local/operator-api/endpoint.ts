/**
 * `POST /api/v1` (also `/master/api/v1`), the Mesos v1 operator API, on the embedded master.
 * Checks, their order, status codes and messages follow upstream's Master::Http::api: 405 for
 * other methods, 400 without Content-Type, 415 for a type other than `application/json` or
 * `application/x-protobuf` (compared exactly, as upstream does), 400 for bodies that do not
 * parse or convert into a `master::Call` or fail its validation, 406 when Accept admits
 * neither encoding, then the answer (`200` with a `mesos.v1.master.Response`). The answer is
 * JSON whenever Accept admits it, protobuf otherwise, whatever the request's encoding.
 *
 * Supported calls: GET_HEALTH, GET_FLAGS, GET_VERSION, GET_MASTER, GET_STATE, GET_AGENTS,
 * GET_FRAMEWORKS, GET_EXECUTORS, GET_TASKS, GET_ROLES. UNKNOWN is 501 as upstream; every other
 * call type (SUBSCRIBE, maintenance, quota, weights, reservations, volumes, TEARDOWN, …) is 501
 * naming the call.
 *
 * The standby redirect and the "not recovered" 503 happen before this module (operator-endpoints).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MasterStateView } from '../master/state-json.js';
import { CodecError } from '../../mesos/codec.js';
import { decodeMasterCall, encodeMasterResponse } from '../../mesos/master-codec.js';
import type * as master from '../../mesos/wire/master.js';
import { acceptsMediaType, readApiRequest, replyJson, replyText } from '../http-replies.js';
import { convertJsonMasterCall, masterCallFromProtobuf, validateMasterCall, type MasterCall, type MasterCallType } from './call.js';
import {
  agentsResponse,
  executorsResponse,
  flagsResponse,
  frameworksResponse,
  healthResponse,
  masterResponse,
  rolesResponse,
  stateResponse,
  tasksResponse,
  versionResponse,
  type VersionInfo,
} from './responses.js';

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';

/** Calls are a few bytes; this only stops a runaway upload from filling memory. */
const MAX_CALL_BYTES = 1024 * 1024;

/** What the operator API reads: the master's state (as `/master/state` does) and its build. */
export interface OperatorApiSource {
  operatorView(): MasterStateView;
  readonly version: VersionInfo;
}

type Answer = (view: MasterStateView, version: VersionInfo) => master.Response;

const ANSWERS: Partial<Record<MasterCallType, Answer>> = {
  GET_HEALTH: () => healthResponse(),
  GET_FLAGS: (view) => flagsResponse(view),
  GET_VERSION: (_view, version) => versionResponse(version),
  GET_MASTER: (view) => masterResponse(view),
  GET_STATE: (view) => stateResponse(view),
  GET_AGENTS: (view) => agentsResponse(view),
  GET_FRAMEWORKS: (view) => frameworksResponse(view),
  GET_EXECUTORS: (view) => executorsResponse(view),
  GET_TASKS: (view) => tasksResponse(view),
  GET_ROLES: (view) => rolesResponse(view),
};

/** The call types this master answers. */
export const SUPPORTED_OPERATOR_CALLS: readonly MasterCallType[] = Object.keys(ANSWERS) as MasterCallType[];

export async function handleOperatorApi(req: IncomingMessage, res: ServerResponse, source: OperatorApiSource): Promise<void> {
  const request = await readApiRequest(req, res, MAX_CALL_BYTES);
  if (request === undefined) return;
  const { contentType, body } = request;
  const call = contentType === PROTOBUF_TYPE ? parseProtobufCall(res, body) : parseJsonCall(res, body);
  if (call === undefined) return;
  const invalid = validateMasterCall(call);
  if (invalid !== undefined) {
    replyText(res, 400, `Failed to validate master::Call: ${invalid}`);
    return;
  }
  const acceptType = acceptsMediaType(req.headers.accept, JSON_TYPE)
    ? JSON_TYPE
    : acceptsMediaType(req.headers.accept, PROTOBUF_TYPE)
      ? PROTOBUF_TYPE
      : undefined;
  if (acceptType === undefined) {
    replyText(res, 406, `Expecting 'Accept' to allow '${PROTOBUF_TYPE}' or '${JSON_TYPE}'`);
    return;
  }
  const type = call.type!;
  if (type === 'UNKNOWN') {
    replyText(res, 501, '501 Not Implemented.');
    return;
  }
  const answer = ANSWERS[type];
  if (answer === undefined) {
    replyText(res, 501, `The operator API call ${type} is not implemented by this master; it answers ${SUPPORTED_OPERATOR_CALLS.join(', ')}`);
    return;
  }
  const response = answer(source.operatorView(), source.version);
  if (acceptType === JSON_TYPE) {
    replyJson(res, 200, response);
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = encodeMasterResponse(response);
  } catch (err) {
    // A Response that does not fit master.proto is this master's bug, not the caller's.
    if (!(err instanceof CodecError)) throw err;
    replyText(res, 500, `Failed to serialize ${type} response as protobuf: ${err.message}`);
    return;
  }
  res.writeHead(200, { 'Content-Type': PROTOBUF_TYPE, 'Content-Length': bytes.length });
  res.end(bytes);
}

/** Answers 400 and returns undefined when the body is not a protobuf Call. */
function parseProtobufCall(res: ServerResponse, body: Buffer): MasterCall | undefined {
  try {
    return masterCallFromProtobuf(decodeMasterCall(body));
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    replyText(res, 400, 'Failed to parse body into Call protobuf');
    return undefined;
  }
}

/** Answers 400 and returns undefined when the body is not a JSON Call. */
function parseJsonCall(res: ServerResponse, body: Buffer): MasterCall | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    replyText(res, 400, `Failed to parse body into JSON: ${(err as Error).message}`);
    return undefined;
  }
  const converted = convertJsonMasterCall(value);
  if (!converted.ok) {
    replyText(res, 400, `Failed to convert JSON into Call protobuf: ${converted.reason}`);
    return undefined;
  }
  return converted.call;
}
