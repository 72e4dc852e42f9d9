import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { PROTO_ROOT_DIR } from '../../src/mesos/codec.js';

/*
 * Pacer's proto/ subset must stay wire-compatible with Apache Mesos. The tables below were
 * taken from upstream include/mesos/v1/mesos.proto, include/mesos/v1/scheduler/scheduler.proto
 * and include/mesos/v1/master/master.proto (apache/mesos c1b42f79); they are checked against proto/ as protobufjs loads it, so any drift
 * in a number, label, type or default fails here. Names are relative to package mesos.v1.
 */

type Label = 'optional' | 'required' | 'repeated' | 'map<string>';
/** [field name, field number, label, type (scalar name or message/enum path), proto2 default] */
type FieldRow = readonly [string, number, Label, string, (string | number | boolean)?];

const UPSTREAM_FIELDS: ReadonlyArray<readonly [string, readonly FieldRow[]]> = [
  ['scheduler.Event', [
    ['type', 1, 'optional', 'scheduler.Event.Type'],
    ['subscribed', 2, 'optional', 'scheduler.Event.Subscribed'],
    ['offers', 3, 'optional', 'scheduler.Event.Offers'],
    ['inverse_offers', 9, 'optional', 'scheduler.Event.InverseOffers'],
    ['rescind', 4, 'optional', 'scheduler.Event.Rescind'],
    ['rescind_inverse_offer', 10, 'optional', 'scheduler.Event.RescindInverseOffer'],
    ['update', 5, 'optional', 'scheduler.Event.Update'],
    ['update_operation_status', 11, 'optional', 'scheduler.Event.UpdateOperationStatus'],
    ['message', 6, 'optional', 'scheduler.Event.Message'],
    ['failure', 7, 'optional', 'scheduler.Event.Failure'],
    ['error', 8, 'optional', 'scheduler.Event.Error'],
  ]],
  ['scheduler.Event.Subscribed', [
    ['framework_id', 1, 'required', 'FrameworkID'],
    ['heartbeat_interval_seconds', 2, 'optional', 'double'],
    ['master_info', 3, 'optional', 'MasterInfo'],
  ]],
  ['scheduler.Event.Offers', [
    ['offers', 1, 'repeated', 'Offer'],
  ]],
  ['scheduler.Event.InverseOffers', [
    ['inverse_offers', 1, 'repeated', 'InverseOffer'],
  ]],
  ['scheduler.Event.Rescind', [
    ['offer_id', 1, 'required', 'OfferID'],
  ]],
  ['scheduler.Event.RescindInverseOffer', [
    ['inverse_offer_id', 1, 'required', 'OfferID'],
  ]],
  ['scheduler.Event.Update', [
    ['status', 1, 'required', 'TaskStatus'],
  ]],
  ['scheduler.Event.UpdateOperationStatus', [
    ['status', 1, 'required', 'OperationStatus'],
  ]],
  ['scheduler.Event.Message', [
    ['agent_id', 1, 'required', 'AgentID'],
    ['executor_id', 2, 'required', 'ExecutorID'],
    ['data', 3, 'required', 'bytes'],
  ]],
  ['scheduler.Event.Failure', [
    ['agent_id', 1, 'optional', 'AgentID'],
    ['executor_id', 2, 'optional', 'ExecutorID'],
    ['status', 3, 'optional', 'int32'],
  ]],
  ['scheduler.Event.Error', [
    ['message', 1, 'required', 'string'],
  ]],
  ['scheduler.Response', [
    ['type', 1, 'optional', 'scheduler.Response.Type'],
    ['reconcile_operations', 2, 'optional', 'scheduler.Response.ReconcileOperations'],
  ]],
  ['scheduler.Response.ReconcileOperations', [
    ['operation_statuses', 1, 'repeated', 'OperationStatus'],
  ]],
  ['scheduler.AttributeConstraint', [
    ['selector', 1, 'required', 'scheduler.AttributeConstraint.Selector'],
    ['predicate', 2, 'required', 'scheduler.AttributeConstraint.Predicate'],
  ]],
  ['scheduler.AttributeConstraint.Selector', [
    ['pseudoattribute_type', 1, 'optional', 'scheduler.AttributeConstraint.Selector.PseudoattributeType'],
    ['attribute_name', 2, 'optional', 'string'],
  ]],
  ['scheduler.AttributeConstraint.Predicate', [
    ['exists', 1, 'optional', 'scheduler.AttributeConstraint.Predicate.Exists'],
    ['not_exists', 2, 'optional', 'scheduler.AttributeConstraint.Predicate.NotExists'],
    ['text_equals', 3, 'optional', 'scheduler.AttributeConstraint.Predicate.TextEquals'],
    ['text_not_equals', 4, 'optional', 'scheduler.AttributeConstraint.Predicate.TextNotEquals'],
    ['text_matches', 5, 'optional', 'scheduler.AttributeConstraint.Predicate.TextMatches'],
    ['text_not_matches', 6, 'optional', 'scheduler.AttributeConstraint.Predicate.TextNotMatches'],
  ]],
  ['scheduler.AttributeConstraint.Predicate.TextEquals', [
    ['value', 1, 'required', 'string'],
  ]],
  ['scheduler.AttributeConstraint.Predicate.TextNotEquals', [
    ['value', 1, 'required', 'string'],
  ]],
  ['scheduler.AttributeConstraint.Predicate.TextMatches', [
    ['regex', 1, 'required', 'string'],
  ]],
  ['scheduler.AttributeConstraint.Predicate.TextNotMatches', [
    ['regex', 1, 'required', 'string'],
  ]],
  ['scheduler.OfferConstraints', [
    ['role_constraints', 1, 'map<string>', 'scheduler.OfferConstraints.RoleConstraints'],
  ]],
  ['scheduler.OfferConstraints.RoleConstraints', [
    ['groups', 1, 'repeated', 'scheduler.OfferConstraints.RoleConstraints.Group'],
  ]],
  ['scheduler.OfferConstraints.RoleConstraints.Group', [
    ['attribute_constraints', 1, 'repeated', 'scheduler.AttributeConstraint'],
  ]],
  ['scheduler.Call', [
    ['framework_id', 1, 'optional', 'FrameworkID'],
    ['type', 2, 'optional', 'scheduler.Call.Type'],
    ['subscribe', 3, 'optional', 'scheduler.Call.Subscribe'],
    ['accept', 4, 'optional', 'scheduler.Call.Accept'],
    ['decline', 5, 'optional', 'scheduler.Call.Decline'],
    ['accept_inverse_offers', 13, 'optional', 'scheduler.Call.AcceptInverseOffers'],
    ['decline_inverse_offers', 14, 'optional', 'scheduler.Call.DeclineInverseOffers'],
    ['revive', 15, 'optional', 'scheduler.Call.Revive'],
    ['kill', 6, 'optional', 'scheduler.Call.Kill'],
    ['shutdown', 7, 'optional', 'scheduler.Call.Shutdown'],
    ['acknowledge', 8, 'optional', 'scheduler.Call.Acknowledge'],
    ['acknowledge_operation_status', 17, 'optional', 'scheduler.Call.AcknowledgeOperationStatus'],
    ['reconcile', 9, 'optional', 'scheduler.Call.Reconcile'],
    ['reconcile_operations', 18, 'optional', 'scheduler.Call.ReconcileOperations'],
    ['message', 10, 'optional', 'scheduler.Call.Message'],
    ['request', 11, 'optional', 'scheduler.Call.Request'],
    ['suppress', 16, 'optional', 'scheduler.Call.Suppress'],
    ['update_framework', 19, 'optional', 'scheduler.Call.UpdateFramework'],
  ]],
  ['scheduler.Call.Subscribe', [
    ['framework_info', 1, 'required', 'FrameworkInfo'],
    ['suppressed_roles', 2, 'repeated', 'string'],
    ['offer_constraints', 3, 'optional', 'scheduler.OfferConstraints'],
  ]],
  ['scheduler.Call.Accept', [
    ['offer_ids', 1, 'repeated', 'OfferID'],
    ['operations', 2, 'repeated', 'Offer.Operation'],
    ['filters', 3, 'optional', 'Filters'],
  ]],
  ['scheduler.Call.Decline', [
    ['offer_ids', 1, 'repeated', 'OfferID'],
    ['filters', 2, 'optional', 'Filters'],
  ]],
  ['scheduler.Call.AcceptInverseOffers', [
    ['inverse_offer_ids', 1, 'repeated', 'OfferID'],
    ['filters', 2, 'optional', 'Filters'],
  ]],
  ['scheduler.Call.DeclineInverseOffers', [
    ['inverse_offer_ids', 1, 'repeated', 'OfferID'],
    ['filters', 2, 'optional', 'Filters'],
  ]],
  ['scheduler.Call.Revive', [
    ['roles', 1, 'repeated', 'string'],
  ]],
  ['scheduler.Call.Kill', [
    ['task_id', 1, 'required', 'TaskID'],
    ['agent_id', 2, 'optional', 'AgentID'],
    ['kill_policy', 3, 'optional', 'KillPolicy'],
  ]],
  ['scheduler.Call.Shutdown', [
    ['executor_id', 1, 'required', 'ExecutorID'],
    ['agent_id', 2, 'required', 'AgentID'],
  ]],
  ['scheduler.Call.Acknowledge', [
    ['agent_id', 1, 'required', 'AgentID'],
    ['task_id', 2, 'required', 'TaskID'],
    ['uuid', 3, 'required', 'bytes'],
  ]],
  ['scheduler.Call.AcknowledgeOperationStatus', [
    ['agent_id', 1, 'optional', 'AgentID'],
    ['resource_provider_id', 2, 'optional', 'ResourceProviderID'],
    ['uuid', 3, 'required', 'bytes'],
    ['operation_id', 4, 'required', 'OperationID'],
  ]],
  ['scheduler.Call.Reconcile', [
    ['tasks', 1, 'repeated', 'scheduler.Call.Reconcile.Task'],
  ]],
  ['scheduler.Call.Reconcile.Task', [
    ['task_id', 1, 'required', 'TaskID'],
    ['agent_id', 2, 'optional', 'AgentID'],
  ]],
  ['scheduler.Call.ReconcileOperations', [
    ['operations', 1, 'repeated', 'scheduler.Call.ReconcileOperations.Operation'],
  ]],
  ['scheduler.Call.ReconcileOperations.Operation', [
    ['operation_id', 1, 'required', 'OperationID'],
    ['agent_id', 2, 'optional', 'AgentID'],
    ['resource_provider_id', 3, 'optional', 'ResourceProviderID'],
  ]],
  ['scheduler.Call.Message', [
    ['agent_id', 1, 'required', 'AgentID'],
    ['executor_id', 2, 'required', 'ExecutorID'],
    ['data', 3, 'required', 'bytes'],
  ]],
  ['scheduler.Call.Request', [
    ['requests', 1, 'repeated', 'Request'],
  ]],
  ['scheduler.Call.Suppress', [
    ['roles', 1, 'repeated', 'string'],
  ]],
  ['scheduler.Call.UpdateFramework', [
    ['framework_info', 1, 'required', 'FrameworkInfo'],
    ['suppressed_roles', 2, 'repeated', 'string'],
    ['offer_constraints', 3, 'optional', 'scheduler.OfferConstraints'],
  ]],
  ['FrameworkID', [
    ['value', 1, 'required', 'string'],
  ]],
  ['OfferID', [
    ['value', 1, 'required', 'string'],
  ]],
  ['AgentID', [
    ['value', 1, 'required', 'string'],
  ]],
  ['TaskID', [
    ['value', 1, 'required', 'string'],
  ]],
  ['ExecutorID', [
    ['value', 1, 'required', 'string'],
  ]],
  ['ContainerID', [
    ['value', 1, 'required', 'string'],
    ['parent', 2, 'optional', 'ContainerID'],
  ]],
  ['ResourceProviderID', [
    ['value', 1, 'required', 'string'],
  ]],
  ['OperationID', [
    ['value', 1, 'required', 'string'],
  ]],
  ['TimeInfo', [
    ['nanoseconds', 1, 'required', 'int64'],
  ]],
  ['DurationInfo', [
    ['nanoseconds', 1, 'required', 'int64'],
  ]],
  ['Address', [
    ['hostname', 1, 'optional', 'string'],
    ['ip', 2, 'optional', 'string'],
    ['port', 3, 'required', 'int32'],
  ]],
  ['URL', [
    ['scheme', 1, 'required', 'string'],
    ['address', 2, 'required', 'Address'],
    ['path', 3, 'optional', 'string'],
    ['query', 4, 'repeated', 'Parameter'],
    ['fragment', 5, 'optional', 'string'],
  ]],
  ['Unavailability', [
    ['start', 1, 'required', 'TimeInfo'],
    ['duration', 2, 'optional', 'DurationInfo'],
  ]],
  ['MachineID', [
    ['hostname', 1, 'optional', 'string'],
    ['ip', 2, 'optional', 'string'],
  ]],
  ['FrameworkInfo', [
    ['user', 1, 'required', 'string'],
    ['name', 2, 'required', 'string'],
    ['id', 3, 'optional', 'FrameworkID'],
    ['failover_timeout', 4, 'optional', 'double', 0],
    ['checkpoint', 5, 'optional', 'bool', false],
    ['role', 6, 'optional', 'string', '*'],
    ['roles', 12, 'repeated', 'string'],
    ['hostname', 7, 'optional', 'string'],
    ['principal', 8, 'optional', 'string'],
    ['webui_url', 9, 'optional', 'string'],
    ['capabilities', 10, 'repeated', 'FrameworkInfo.Capability'],
    ['labels', 11, 'optional', 'Labels'],
    ['offer_filters', 13, 'map<string>', 'OfferFilters'],
  ]],
  ['FrameworkInfo.Capability', [
    ['type', 1, 'optional', 'FrameworkInfo.Capability.Type'],
  ]],
  ['CheckInfo', [
    ['type', 1, 'optional', 'CheckInfo.Type'],
    ['command', 2, 'optional', 'CheckInfo.Command'],
    ['http', 3, 'optional', 'CheckInfo.Http'],
    ['tcp', 7, 'optional', 'CheckInfo.Tcp'],
    ['delay_seconds', 4, 'optional', 'double', 15],
    ['interval_seconds', 5, 'optional', 'double', 10],
    ['timeout_seconds', 6, 'optional', 'double', 20],
  ]],
  ['CheckInfo.Command', [
    ['command', 1, 'required', 'CommandInfo'],
  ]],
  ['CheckInfo.Http', [
    ['port', 1, 'required', 'uint32'],
    ['path', 2, 'optional', 'string'],
  ]],
  ['CheckInfo.Tcp', [
    ['port', 1, 'required', 'uint32'],
  ]],
  ['HealthCheck', [
    ['delay_seconds', 2, 'optional', 'double', 15],
    ['interval_seconds', 3, 'optional', 'double', 10],
    ['timeout_seconds', 4, 'optional', 'double', 20],
    ['consecutive_failures', 5, 'optional', 'uint32', 3],
    ['grace_period_seconds', 6, 'optional', 'double', 10],
    ['type', 8, 'optional', 'HealthCheck.Type'],
    ['command', 7, 'optional', 'CommandInfo'],
    ['http', 1, 'optional', 'HealthCheck.HTTPCheckInfo'],
    ['tcp', 9, 'optional', 'HealthCheck.TCPCheckInfo'],
  ]],
  ['HealthCheck.HTTPCheckInfo', [
    ['protocol', 5, 'optional', 'NetworkInfo.Protocol', 'IPv4'],
    ['scheme', 3, 'optional', 'string'],
    ['port', 1, 'required', 'uint32'],
    ['path', 2, 'optional', 'string'],
    ['statuses', 4, 'repeated', 'uint32'],
  ]],
  ['HealthCheck.TCPCheckInfo', [
    ['protocol', 2, 'optional', 'NetworkInfo.Protocol', 'IPv4'],
    ['port', 1, 'required', 'uint32'],
  ]],
  ['KillPolicy', [
    ['grace_period', 1, 'optional', 'DurationInfo'],
  ]],
  ['CommandInfo', [
    ['uris', 1, 'repeated', 'CommandInfo.URI'],
    ['environment', 2, 'optional', 'Environment'],
    ['shell', 6, 'optional', 'bool', true],
    ['value', 3, 'optional', 'string'],
    ['arguments', 7, 'repeated', 'string'],
    ['user', 5, 'optional', 'string'],
  ]],
  ['CommandInfo.URI', [
    ['value', 1, 'required', 'string'],
    ['executable', 2, 'optional', 'bool'],
    ['extract', 3, 'optional', 'bool', true],
    ['cache', 4, 'optional', 'bool'],
    ['output_file', 5, 'optional', 'string'],
  ]],
  ['ExecutorInfo', [
    ['type', 15, 'optional', 'ExecutorInfo.Type'],
    ['executor_id', 1, 'required', 'ExecutorID'],
    ['framework_id', 8, 'optional', 'FrameworkID'],
    ['command', 7, 'optional', 'CommandInfo'],
    ['container', 11, 'optional', 'ContainerInfo'],
    ['resources', 5, 'repeated', 'Resource'],
    ['name', 9, 'optional', 'string'],
    ['source', 10, 'optional', 'string'],
    ['data', 4, 'optional', 'bytes'],
    ['discovery', 12, 'optional', 'DiscoveryInfo'],
    ['shutdown_grace_period', 13, 'optional', 'DurationInfo'],
    ['labels', 14, 'optional', 'Labels'],
  ]],
  ['DomainInfo', [
    ['fault_domain', 1, 'optional', 'DomainInfo.FaultDomain'],
  ]],
  ['DomainInfo.FaultDomain', [
    ['region', 1, 'required', 'DomainInfo.FaultDomain.RegionInfo'],
    ['zone', 2, 'required', 'DomainInfo.FaultDomain.ZoneInfo'],
  ]],
  ['DomainInfo.FaultDomain.RegionInfo', [
    ['name', 1, 'required', 'string'],
  ]],
  ['DomainInfo.FaultDomain.ZoneInfo', [
    ['name', 1, 'required', 'string'],
  ]],
  ['MasterInfo', [
    ['id', 1, 'required', 'string'],
    ['ip', 2, 'required', 'uint32'],
    ['port', 3, 'required', 'uint32', 5050],
    ['pid', 4, 'optional', 'string'],
    ['hostname', 5, 'optional', 'string'],
    ['version', 6, 'optional', 'string'],
    ['address', 7, 'optional', 'Address'],
    ['domain', 8, 'optional', 'DomainInfo'],
    ['capabilities', 9, 'repeated', 'MasterInfo.Capability'],
  ]],
  ['MasterInfo.Capability', [
    ['type', 1, 'optional', 'MasterInfo.Capability.Type'],
  ]],
  ['AgentInfo', [
    ['hostname', 1, 'required', 'string'],
    ['port', 8, 'optional', 'int32', 5051],
    ['resources', 3, 'repeated', 'Resource'],
    ['attributes', 5, 'repeated', 'Attribute'],
    ['id', 6, 'optional', 'AgentID'],
    ['domain', 10, 'optional', 'DomainInfo'],
  ]],
  ['AgentInfo.Capability', [
    ['type', 1, 'optional', 'AgentInfo.Capability.Type'],
  ]],
  ['Value', [
    ['type', 1, 'required', 'Value.Type'],
    ['scalar', 2, 'optional', 'Value.Scalar'],
    ['ranges', 3, 'optional', 'Value.Ranges'],
    ['set', 4, 'optional', 'Value.Set'],
    ['text', 5, 'optional', 'Value.Text'],
  ]],
  ['Value.Scalar', [
    ['value', 1, 'required', 'double'],
  ]],
  ['Value.Range', [
    ['begin', 1, 'required', 'uint64'],
    ['end', 2, 'required', 'uint64'],
  ]],
  ['Value.Ranges', [
    ['range', 1, 'repeated', 'Value.Range'],
  ]],
  ['Value.Set', [
    ['item', 1, 'repeated', 'string'],
  ]],
  ['Value.Text', [
    ['value', 1, 'required', 'string'],
  ]],
  ['Attribute', [
    ['name', 1, 'required', 'string'],
    ['type', 2, 'required', 'Value.Type'],
    ['scalar', 3, 'optional', 'Value.Scalar'],
    ['ranges', 4, 'optional', 'Value.Ranges'],
    ['set', 6, 'optional', 'Value.Set'],
    ['text', 5, 'optional', 'Value.Text'],
  ]],
  ['Resource', [
    ['provider_id', 12, 'optional', 'ResourceProviderID'],
    ['name', 1, 'required', 'string'],
    ['type', 2, 'required', 'Value.Type'],
    ['scalar', 3, 'optional', 'Value.Scalar'],
    ['ranges', 4, 'optional', 'Value.Ranges'],
    ['set', 5, 'optional', 'Value.Set'],
    ['role', 6, 'optional', 'string', '*'],
    ['allocation_info', 11, 'optional', 'Resource.AllocationInfo'],
    ['reservation', 8, 'optional', 'Resource.ReservationInfo'],
    ['reservations', 13, 'repeated', 'Resource.ReservationInfo'],
    ['disk', 7, 'optional', 'Resource.DiskInfo'],
    ['revocable', 9, 'optional', 'Resource.RevocableInfo'],
    ['shared', 10, 'optional', 'Resource.SharedInfo'],
  ]],
  ['Resource.AllocationInfo', [
    ['role', 1, 'optional', 'string'],
  ]],
  ['Resource.ReservationInfo', [
    ['type', 4, 'optional', 'Resource.ReservationInfo.Type'],
    ['role', 3, 'optional', 'string'],
    ['principal', 1, 'optional', 'string'],
    ['labels', 2, 'optional', 'Labels'],
  ]],
  ['Resource.DiskInfo', [
    ['persistence', 1, 'optional', 'Resource.DiskInfo.Persistence'],
    ['volume', 2, 'optional', 'Volume'],
    ['source', 3, 'optional', 'Resource.DiskInfo.Source'],
  ]],
  ['Resource.DiskInfo.Persistence', [
    ['id', 1, 'required', 'string'],
    ['principal', 2, 'optional', 'string'],
  ]],
  ['Resource.DiskInfo.Source', [
    ['type', 1, 'required', 'Resource.DiskInfo.Source.Type'],
    ['path', 2, 'optional', 'Resource.DiskInfo.Source.Path'],
    ['mount', 3, 'optional', 'Resource.DiskInfo.Source.Mount'],
    ['vendor', 7, 'optional', 'string'],
    ['id', 4, 'optional', 'string'],
    ['metadata', 5, 'optional', 'Labels'],
    ['profile', 6, 'optional', 'string'],
  ]],
  ['Resource.DiskInfo.Source.Path', [
    ['root', 1, 'optional', 'string'],
  ]],
  ['Resource.DiskInfo.Source.Mount', [
    ['root', 1, 'optional', 'string'],
  ]],
  ['OfferFilters', [
    ['min_allocatable_resources', 1, 'optional', 'OfferFilters.MinAllocatableResources'],
  ]],
  ['OfferFilters.ResourceQuantities', [
    ['quantities', 1, 'map<string>', 'Value.Scalar'],
  ]],
  ['OfferFilters.MinAllocatableResources', [
    ['quantities', 1, 'repeated', 'OfferFilters.ResourceQuantities'],
  ]],
  ['Request', [
    ['agent_id', 1, 'optional', 'AgentID'],
    ['resources', 2, 'repeated', 'Resource'],
  ]],
  ['Offer', [
    ['id', 1, 'required', 'OfferID'],
    ['framework_id', 2, 'required', 'FrameworkID'],
    ['agent_id', 3, 'required', 'AgentID'],
    ['hostname', 4, 'required', 'string'],
    ['url', 8, 'optional', 'URL'],
    ['domain', 11, 'optional', 'DomainInfo'],
    ['resources', 5, 'repeated', 'Resource'],
    ['attributes', 7, 'repeated', 'Attribute'],
    ['executor_ids', 6, 'repeated', 'ExecutorID'],
    ['unavailability', 9, 'optional', 'Unavailability'],
    ['allocation_info', 10, 'optional', 'Resource.AllocationInfo'],
  ]],
  ['Offer.Operation', [
    ['type', 1, 'optional', 'Offer.Operation.Type'],
    ['id', 12, 'optional', 'OperationID'],
    ['launch', 2, 'optional', 'Offer.Operation.Launch'],
    ['launch_group', 7, 'optional', 'Offer.Operation.LaunchGroup'],
    ['reserve', 3, 'optional', 'Offer.Operation.Reserve'],
    ['unreserve', 4, 'optional', 'Offer.Operation.Unreserve'],
    ['create', 5, 'optional', 'Offer.Operation.Create'],
    ['destroy', 6, 'optional', 'Offer.Operation.Destroy'],
    ['grow_volume', 13, 'optional', 'Offer.Operation.GrowVolume'],
    ['shrink_volume', 14, 'optional', 'Offer.Operation.ShrinkVolume'],
    ['create_disk', 15, 'optional', 'Offer.Operation.CreateDisk'],
    ['destroy_disk', 16, 'optional', 'Offer.Operation.DestroyDisk'],
  ]],
  ['Offer.Operation.Launch', [
    ['task_infos', 1, 'repeated', 'TaskInfo'],
  ]],
  ['Offer.Operation.LaunchGroup', [
    ['executor', 1, 'required', 'ExecutorInfo'],
    ['task_group', 2, 'required', 'TaskGroupInfo'],
  ]],
  ['Offer.Operation.Reserve', [
    ['source', 2, 'repeated', 'Resource'],
    ['resources', 1, 'repeated', 'Resource'],
  ]],
  ['Offer.Operation.Unreserve', [
    ['resources', 1, 'repeated', 'Resource'],
  ]],
  ['Offer.Operation.Create', [
    ['volumes', 1, 'repeated', 'Resource'],
  ]],
  ['Offer.Operation.Destroy', [
    ['volumes', 1, 'repeated', 'Resource'],
  ]],
  ['Offer.Operation.GrowVolume', [
    ['volume', 1, 'required', 'Resource'],
    ['addition', 2, 'required', 'Resource'],
  ]],
  ['Offer.Operation.ShrinkVolume', [
    ['volume', 1, 'required', 'Resource'],
    ['subtract', 2, 'required', 'Value.Scalar'],
  ]],
  ['Offer.Operation.CreateDisk', [
    ['source', 1, 'required', 'Resource'],
    ['target_type', 2, 'required', 'Resource.DiskInfo.Source.Type'],
    ['target_profile', 3, 'optional', 'string'],
  ]],
  ['Offer.Operation.DestroyDisk', [
    ['source', 1, 'required', 'Resource'],
  ]],
  ['InverseOffer', [
    ['id', 1, 'required', 'OfferID'],
    ['url', 2, 'optional', 'URL'],
    ['framework_id', 3, 'required', 'FrameworkID'],
    ['agent_id', 4, 'optional', 'AgentID'],
    ['unavailability', 5, 'required', 'Unavailability'],
    ['resources', 6, 'repeated', 'Resource'],
  ]],
  ['TaskInfo', [
    ['name', 1, 'required', 'string'],
    ['task_id', 2, 'required', 'TaskID'],
    ['agent_id', 3, 'required', 'AgentID'],
    ['resources', 4, 'repeated', 'Resource'],
    ['executor', 5, 'optional', 'ExecutorInfo'],
    ['command', 7, 'optional', 'CommandInfo'],
    ['container', 9, 'optional', 'ContainerInfo'],
    ['health_check', 8, 'optional', 'HealthCheck'],
    ['check', 13, 'optional', 'CheckInfo'],
    ['kill_policy', 12, 'optional', 'KillPolicy'],
    ['data', 6, 'optional', 'bytes'],
    ['labels', 10, 'optional', 'Labels'],
    ['discovery', 11, 'optional', 'DiscoveryInfo'],
    ['max_completion_time', 14, 'optional', 'DurationInfo'],
    ['limits', 15, 'map<string>', 'Value.Scalar'],
  ]],
  ['TaskGroupInfo', [
    ['tasks', 1, 'repeated', 'TaskInfo'],
  ]],
  ['Task', [
    ['name', 1, 'required', 'string'],
    ['task_id', 2, 'required', 'TaskID'],
    ['framework_id', 3, 'required', 'FrameworkID'],
    ['executor_id', 4, 'optional', 'ExecutorID'],
    ['agent_id', 5, 'required', 'AgentID'],
    ['state', 6, 'required', 'TaskState'],
    ['resources', 7, 'repeated', 'Resource'],
    ['statuses', 8, 'repeated', 'TaskStatus'],
    ['status_update_state', 9, 'optional', 'TaskState'],
    ['status_update_uuid', 10, 'optional', 'bytes'],
    ['labels', 11, 'optional', 'Labels'],
    ['discovery', 12, 'optional', 'DiscoveryInfo'],
    ['container', 13, 'optional', 'ContainerInfo'],
    ['health_check', 15, 'optional', 'HealthCheck'],
    ['kill_policy', 16, 'optional', 'KillPolicy'],
    ['user', 14, 'optional', 'string'],
    ['limits', 17, 'map<string>', 'Value.Scalar'],
  ]],
  ['TaskResourceLimitation', [
    ['resources', 1, 'repeated', 'Resource'],
  ]],
  ['UUID', [
    ['value', 1, 'required', 'bytes'],
  ]],
  ['OperationStatus', [
    ['operation_id', 1, 'optional', 'OperationID'],
    ['state', 2, 'required', 'OperationState'],
    ['message', 3, 'optional', 'string'],
    ['converted_resources', 4, 'repeated', 'Resource'],
    ['uuid', 5, 'optional', 'UUID'],
    ['agent_id', 6, 'optional', 'AgentID'],
    ['resource_provider_id', 7, 'optional', 'ResourceProviderID'],
  ]],
  ['CheckStatusInfo', [
    ['type', 1, 'optional', 'CheckInfo.Type'],
    ['command', 2, 'optional', 'CheckStatusInfo.Command'],
    ['http', 3, 'optional', 'CheckStatusInfo.Http'],
    ['tcp', 4, 'optional', 'CheckStatusInfo.Tcp'],
  ]],
  ['CheckStatusInfo.Command', [
    ['exit_code', 1, 'optional', 'int32'],
  ]],
  ['CheckStatusInfo.Http', [
    ['status_code', 1, 'optional', 'uint32'],
  ]],
  ['CheckStatusInfo.Tcp', [
    ['succeeded', 1, 'optional', 'bool'],
  ]],
  ['TaskStatus', [
    ['task_id', 1, 'required', 'TaskID'],
    ['state', 2, 'required', 'TaskState'],
    ['message', 4, 'optional', 'string'],
    ['source', 9, 'optional', 'TaskStatus.Source'],
    ['reason', 10, 'optional', 'TaskStatus.Reason'],
    ['data', 3, 'optional', 'bytes'],
    ['agent_id', 5, 'optional', 'AgentID'],
    ['executor_id', 7, 'optional', 'ExecutorID'],
    ['timestamp', 6, 'optional', 'double'],
    ['uuid', 11, 'optional', 'bytes'],
    ['healthy', 8, 'optional', 'bool'],
    ['check_status', 15, 'optional', 'CheckStatusInfo'],
    ['labels', 12, 'optional', 'Labels'],
    ['container_status', 13, 'optional', 'ContainerStatus'],
    ['unreachable_time', 14, 'optional', 'TimeInfo'],
    ['limitation', 16, 'optional', 'TaskResourceLimitation'],
  ]],
  ['Filters', [
    ['refuse_seconds', 1, 'optional', 'double', 5],
  ]],
  ['Environment', [
    ['variables', 1, 'repeated', 'Environment.Variable'],
  ]],
  ['Environment.Variable', [
    ['name', 1, 'required', 'string'],
    ['type', 3, 'optional', 'Environment.Variable.Type', 'VALUE'],
    ['value', 2, 'optional', 'string'],
    ['secret', 4, 'optional', 'Secret'],
  ]],
  ['Parameter', [
    ['key', 1, 'required', 'string'],
    ['value', 2, 'required', 'string'],
  ]],
  ['Parameters', [
    ['parameter', 1, 'repeated', 'Parameter'],
  ]],
  ['Credential', [
    ['principal', 1, 'required', 'string'],
    ['secret', 2, 'optional', 'string'],
  ]],
  ['Secret', [
    ['type', 1, 'optional', 'Secret.Type'],
    ['reference', 2, 'optional', 'Secret.Reference'],
    ['value', 3, 'optional', 'Secret.Value'],
  ]],
  ['Secret.Reference', [
    ['name', 1, 'required', 'string'],
    ['key', 2, 'optional', 'string'],
  ]],
  ['Secret.Value', [
    ['data', 1, 'required', 'bytes'],
  ]],
  ['Image', [
    ['type', 1, 'required', 'Image.Type'],
    ['appc', 2, 'optional', 'Image.Appc'],
    ['docker', 3, 'optional', 'Image.Docker'],
    ['cached', 4, 'optional', 'bool', true],
  ]],
  ['Image.Appc', [
    ['name', 1, 'required', 'string'],
    ['id', 2, 'optional', 'string'],
    ['labels', 3, 'optional', 'Labels'],
  ]],
  ['Image.Docker', [
    ['name', 1, 'required', 'string'],
    ['credential', 2, 'optional', 'Credential'],
    ['config', 3, 'optional', 'Secret'],
  ]],
  ['MountPropagation', [
    ['mode', 1, 'optional', 'MountPropagation.Mode'],
  ]],
  ['Volume', [
    ['mode', 3, 'required', 'Volume.Mode'],
    ['container_path', 1, 'required', 'string'],
    ['host_path', 2, 'optional', 'string'],
    ['image', 4, 'optional', 'Image'],
    ['source', 5, 'optional', 'Volume.Source'],
  ]],
  ['Volume.Source', [
    ['type', 1, 'optional', 'Volume.Source.Type'],
    ['docker_volume', 2, 'optional', 'Volume.Source.DockerVolume'],
    ['host_path', 5, 'optional', 'Volume.Source.HostPath'],
    ['sandbox_path', 3, 'optional', 'Volume.Source.SandboxPath'],
    ['secret', 4, 'optional', 'Secret'],
  ]],
  ['Volume.Source.DockerVolume', [
    ['driver', 1, 'optional', 'string'],
    ['name', 2, 'required', 'string'],
    ['driver_options', 3, 'optional', 'Parameters'],
  ]],
  ['Volume.Source.HostPath', [
    ['path', 1, 'required', 'string'],
    ['mount_propagation', 2, 'optional', 'MountPropagation'],
  ]],
  ['Volume.Source.SandboxPath', [
    ['type', 1, 'optional', 'Volume.Source.SandboxPath.Type'],
    ['path', 2, 'required', 'string'],
  ]],
  ['NetworkInfo', [
    ['ip_addresses', 5, 'repeated', 'NetworkInfo.IPAddress'],
    ['name', 6, 'optional', 'string'],
    ['groups', 3, 'repeated', 'string'],
    ['labels', 4, 'optional', 'Labels'],
    ['port_mappings', 7, 'repeated', 'NetworkInfo.PortMapping'],
  ]],
  ['NetworkInfo.IPAddress', [
    ['protocol', 1, 'optional', 'NetworkInfo.Protocol', 'IPv4'],
    ['ip_address', 2, 'optional', 'string'],
  ]],
  ['NetworkInfo.PortMapping', [
    ['host_port', 1, 'required', 'uint32'],
    ['container_port', 2, 'required', 'uint32'],
    ['protocol', 3, 'optional', 'string'],
  ]],
  ['CapabilityInfo', [
    ['capabilities', 1, 'repeated', 'CapabilityInfo.Capability'],
  ]],
  ['SeccompInfo', [
    ['profile_name', 1, 'optional', 'string'],
    ['unconfined', 2, 'optional', 'bool'],
  ]],
  ['LinuxInfo', [
    ['capability_info', 1, 'optional', 'CapabilityInfo'],
    ['bounding_capabilities', 2, 'optional', 'CapabilityInfo'],
    ['effective_capabilities', 3, 'optional', 'CapabilityInfo'],
    ['share_pid_namespace', 4, 'optional', 'bool'],
    ['seccomp', 5, 'optional', 'SeccompInfo'],
    ['ipc_mode', 6, 'optional', 'LinuxInfo.IpcMode'],
    ['shm_size', 7, 'optional', 'uint32'],
    ['share_cgroups', 8, 'optional', 'bool', true],
  ]],
  ['RLimitInfo', [
    ['rlimits', 1, 'repeated', 'RLimitInfo.RLimit'],
  ]],
  ['RLimitInfo.RLimit', [
    ['type', 1, 'optional', 'RLimitInfo.RLimit.Type'],
    ['hard', 2, 'optional', 'uint64'],
    ['soft', 3, 'optional', 'uint64'],
  ]],
  ['TTYInfo', [
    ['window_size', 1, 'optional', 'TTYInfo.WindowSize'],
  ]],
  ['TTYInfo.WindowSize', [
    ['rows', 1, 'required', 'uint32'],
    ['columns', 2, 'required', 'uint32'],
  ]],
  ['ContainerInfo', [
    ['type', 1, 'required', 'ContainerInfo.Type'],
    ['volumes', 2, 'repeated', 'Volume'],
    ['hostname', 4, 'optional', 'string'],
    ['docker', 3, 'optional', 'ContainerInfo.DockerInfo'],
    ['mesos', 5, 'optional', 'ContainerInfo.MesosInfo'],
    ['network_infos', 7, 'repeated', 'NetworkInfo'],
    ['linux_info', 8, 'optional', 'LinuxInfo'],
    ['rlimit_info', 9, 'optional', 'RLimitInfo'],
    ['tty_info', 10, 'optional', 'TTYInfo'],
  ]],
  ['ContainerInfo.DockerInfo', [
    ['image', 1, 'required', 'string'],
    ['network', 2, 'optional', 'ContainerInfo.DockerInfo.Network', 'HOST'],
    ['port_mappings', 3, 'repeated', 'ContainerInfo.DockerInfo.PortMapping'],
    ['privileged', 4, 'optional', 'bool', false],
    ['parameters', 5, 'repeated', 'Parameter'],
    ['force_pull_image', 6, 'optional', 'bool'],
    ['volume_driver', 7, 'optional', 'string'],
  ]],
  ['ContainerInfo.DockerInfo.PortMapping', [
    ['host_port', 1, 'required', 'uint32'],
    ['container_port', 2, 'required', 'uint32'],
    ['protocol', 3, 'optional', 'string'],
  ]],
  ['ContainerInfo.MesosInfo', [
    ['image', 1, 'optional', 'Image'],
  ]],
  ['ContainerStatus', [
    ['container_id', 4, 'optional', 'ContainerID'],
    ['network_infos', 1, 'repeated', 'NetworkInfo'],
    ['cgroup_info', 2, 'optional', 'CgroupInfo'],
    ['executor_pid', 3, 'optional', 'uint32'],
  ]],
  ['CgroupInfo', [
    ['net_cls', 1, 'optional', 'CgroupInfo.NetCls'],
  ]],
  ['CgroupInfo.NetCls', [
    ['classid', 1, 'optional', 'uint32'],
  ]],
  ['Labels', [
    ['labels', 1, 'repeated', 'Label'],
  ]],
  ['Label', [
    ['key', 1, 'required', 'string'],
    ['value', 2, 'optional', 'string'],
  ]],
  ['Port', [
    ['number', 1, 'required', 'uint32'],
    ['name', 2, 'optional', 'string'],
    ['protocol', 3, 'optional', 'string'],
    ['visibility', 4, 'optional', 'DiscoveryInfo.Visibility'],
    ['labels', 5, 'optional', 'Labels'],
  ]],
  ['Ports', [
    ['ports', 1, 'repeated', 'Port'],
  ]],
  ['DiscoveryInfo', [
    ['visibility', 1, 'required', 'DiscoveryInfo.Visibility'],
    ['name', 2, 'optional', 'string'],
    ['environment', 3, 'optional', 'string'],
    ['location', 4, 'optional', 'string'],
    ['version', 5, 'optional', 'string'],
    ['ports', 6, 'optional', 'Ports'],
    ['labels', 7, 'optional', 'Labels'],
  ]],
  // Operator API: master.proto, and what it needs from mesos.proto, maintenance.proto and
  // quota.proto (upstream at the same commit). A message proto/ keeps only in part names the
  // upstream fields it leaves out.
  ['master.Call', [
    ['type', 1, 'optional', 'master.Call.Type'],
    ['get_metrics', 2, 'optional', 'master.Call.GetMetrics'],
    ['set_logging_level', 3, 'optional', 'master.Call.SetLoggingLevel'],
    ['list_files', 4, 'optional', 'master.Call.ListFiles'],
    ['read_file', 5, 'optional', 'master.Call.ReadFile'],
    ['update_weights', 6, 'optional', 'master.Call.UpdateWeights'],
    ['reserve_resources', 7, 'optional', 'master.Call.ReserveResources'],
    ['unreserve_resources', 8, 'optional', 'master.Call.UnreserveResources'],
    ['create_volumes', 9, 'optional', 'master.Call.CreateVolumes'],
    ['destroy_volumes', 10, 'optional', 'master.Call.DestroyVolumes'],
    ['grow_volume', 18, 'optional', 'master.Call.GrowVolume'],
    ['shrink_volume', 19, 'optional', 'master.Call.ShrinkVolume'],
    ['update_maintenance_schedule', 11, 'optional', 'master.Call.UpdateMaintenanceSchedule'],
    ['start_maintenance', 12, 'optional', 'master.Call.StartMaintenance'],
    ['stop_maintenance', 13, 'optional', 'master.Call.StopMaintenance'],
    ['drain_agent', 21, 'optional', 'master.Call.DrainAgent'],
    ['deactivate_agent', 22, 'optional', 'master.Call.DeactivateAgent'],
    ['reactivate_agent', 23, 'optional', 'master.Call.ReactivateAgent'],
    ['update_quota', 20, 'optional', 'master.Call.UpdateQuota'],
    ['teardown', 16, 'optional', 'master.Call.Teardown'],
    ['mark_agent_gone', 17, 'optional', 'master.Call.MarkAgentGone'],
    ['set_quota', 14, 'optional', 'master.Call.SetQuota'],
    ['remove_quota', 15, 'optional', 'master.Call.RemoveQuota'],
  ]],
  ['master.Call.GetMetrics', [
    ['timeout', 1, 'optional', 'DurationInfo'],
  ]],
  ['master.Call.SetLoggingLevel', [
    ['level', 1, 'required', 'uint32'],
    ['duration', 2, 'required', 'DurationInfo'],
  ]],
  ['master.Call.ListFiles', [
    ['path', 1, 'required', 'string'],
  ]],
  ['master.Call.ReadFile', [
    ['path', 1, 'required', 'string'],
    ['offset', 2, 'required', 'uint64'],
    ['length', 3, 'optional', 'uint64'],
  ]],
  ['master.Call.UpdateWeights', [
    ['weight_infos', 1, 'repeated', 'WeightInfo'],
  ]],
  ['master.Call.ReserveResources', [
    ['agent_id', 1, 'required', 'AgentID'],
    ['source', 3, 'repeated', 'Resource'],
    ['resources', 2, 'repeated', 'Resource'],
  ]],
  ['master.Call.UnreserveResources', [
    ['agent_id', 1, 'required', 'AgentID'],
    ['resources', 2, 'repeated', 'Resource'],
  ]],
  ['master.Call.CreateVolumes', [
    ['agent_id', 1, 'required', 'AgentID'],
    ['volumes', 2, 'repeated', 'Resource'],
  ]],
  ['master.Call.DestroyVolumes', [
    ['agent_id', 1, 'required', 'AgentID'],
    ['volumes', 2, 'repeated', 'Resource'],
  ]],
  ['master.Call.GrowVolume', [
    ['agent_id', 1, 'optional', 'AgentID'],
    ['volume', 2, 'required', 'Resource'],
    ['addition', 3, 'required', 'Resource'],
  ]],
  ['master.Call.ShrinkVolume', [
    ['agent_id', 1, 'optional', 'AgentID'],
    ['volume', 2, 'required', 'Resource'],
    ['subtract', 3, 'required', 'Value.Scalar'],
  ]],
  ['master.Call.UpdateMaintenanceSchedule', [
    ['schedule', 1, 'required', 'maintenance.Schedule'],
  ]],
  ['master.Call.StartMaintenance', [
    ['machines', 1, 'repeated', 'MachineID'],
  ]],
  ['master.Call.StopMaintenance', [
    ['machines', 1, 'repeated', 'MachineID'],
  ]],
  ['master.Call.DrainAgent', [
    ['agent_id', 1, 'required', 'AgentID'],
    ['max_grace_period', 2, 'optional', '.google.protobuf.Duration'],
    ['mark_gone', 3, 'optional', 'bool', false],
  ]],
  ['master.Call.DeactivateAgent', [
    ['agent_id', 1, 'required', 'AgentID'],
  ]],
  ['master.Call.ReactivateAgent', [
    ['agent_id', 1, 'required', 'AgentID'],
  ]],
  ['master.Call.UpdateQuota', [
    ['force', 1, 'optional', 'bool'],
    ['quota_configs', 2, 'repeated', 'quota.QuotaConfig'],
  ]],
  ['master.Call.SetQuota', [
    ['quota_request', 1, 'required', 'quota.QuotaRequest'],
  ]],
  ['master.Call.RemoveQuota', [
    ['role', 1, 'required', 'string'],
  ]],
  ['master.Call.Teardown', [
    ['framework_id', 1, 'required', 'FrameworkID'],
  ]],
  ['master.Call.MarkAgentGone', [
    ['agent_id', 1, 'required', 'AgentID'],
  ]],
  ['master.Response', [
    // Not in proto/: get_metrics = 5, get_logging_level = 6, list_files = 7, read_file = 8, get_operations = 20, get_weights = 15, get_maintenance_status = 17, get_maintenance_schedule = 18, get_quota = 19.
    ['type', 1, 'optional', 'master.Response.Type'],
    ['get_health', 2, 'optional', 'master.Response.GetHealth'],
    ['get_flags', 3, 'optional', 'master.Response.GetFlags'],
    ['get_version', 4, 'optional', 'master.Response.GetVersion'],
    ['get_state', 9, 'optional', 'master.Response.GetState'],
    ['get_agents', 10, 'optional', 'master.Response.GetAgents'],
    ['get_frameworks', 11, 'optional', 'master.Response.GetFrameworks'],
    ['get_executors', 12, 'optional', 'master.Response.GetExecutors'],
    ['get_tasks', 13, 'optional', 'master.Response.GetTasks'],
    ['get_roles', 14, 'optional', 'master.Response.GetRoles'],
    ['get_master', 16, 'optional', 'master.Response.GetMaster'],
  ]],
  ['master.Response.GetHealth', [
    ['healthy', 1, 'required', 'bool'],
  ]],
  ['master.Response.GetFlags', [
    ['flags', 1, 'repeated', 'Flag'],
  ]],
  ['master.Response.GetVersion', [
    ['version_info', 1, 'required', 'VersionInfo'],
  ]],
  ['master.Response.GetState', [
    ['get_tasks', 1, 'optional', 'master.Response.GetTasks'],
    ['get_executors', 2, 'optional', 'master.Response.GetExecutors'],
    ['get_frameworks', 3, 'optional', 'master.Response.GetFrameworks'],
    ['get_agents', 4, 'optional', 'master.Response.GetAgents'],
  ]],
  ['master.Response.GetAgents', [
    ['agents', 1, 'repeated', 'master.Response.GetAgents.Agent'],
    ['recovered_agents', 2, 'repeated', 'AgentInfo'],
  ]],
  ['master.Response.GetAgents.Agent', [
    // Not in proto/: resource_providers = 11, drain_info = 13, estimated_drain_start_time = 14.
    ['agent_info', 1, 'required', 'AgentInfo'],
    ['active', 2, 'required', 'bool'],
    ['deactivated', 12, 'optional', 'bool'],
    ['version', 3, 'required', 'string'],
    ['pid', 4, 'optional', 'string'],
    ['registered_time', 5, 'optional', 'TimeInfo'],
    ['reregistered_time', 6, 'optional', 'TimeInfo'],
    ['total_resources', 7, 'repeated', 'Resource'],
    ['allocated_resources', 8, 'repeated', 'Resource'],
    ['offered_resources', 9, 'repeated', 'Resource'],
    ['capabilities', 10, 'repeated', 'AgentInfo.Capability'],
  ]],
  ['master.Response.GetFrameworks', [
    ['frameworks', 1, 'repeated', 'master.Response.GetFrameworks.Framework'],
    ['completed_frameworks', 2, 'repeated', 'master.Response.GetFrameworks.Framework'],
    ['recovered_frameworks', 3, 'repeated', 'FrameworkInfo'],
  ]],
  ['master.Response.GetFrameworks.Framework', [
    ['framework_info', 1, 'required', 'FrameworkInfo'],
    ['active', 2, 'required', 'bool'],
    ['connected', 3, 'required', 'bool'],
    ['recovered', 11, 'required', 'bool'],
    ['registered_time', 4, 'optional', 'TimeInfo'],
    ['reregistered_time', 5, 'optional', 'TimeInfo'],
    ['unregistered_time', 6, 'optional', 'TimeInfo'],
    ['offers', 7, 'repeated', 'Offer'],
    ['inverse_offers', 8, 'repeated', 'InverseOffer'],
    ['allocated_resources', 9, 'repeated', 'Resource'],
    ['offered_resources', 10, 'repeated', 'Resource'],
    ['offer_constraints', 12, 'optional', 'scheduler.OfferConstraints'],
  ]],
  ['master.Response.GetExecutors', [
    ['executors', 1, 'repeated', 'master.Response.GetExecutors.Executor'],
    ['orphan_executors', 2, 'repeated', 'master.Response.GetExecutors.Executor'],
  ]],
  ['master.Response.GetExecutors.Executor', [
    ['executor_info', 1, 'required', 'ExecutorInfo'],
    ['agent_id', 2, 'required', 'AgentID'],
  ]],
  ['master.Response.GetTasks', [
    ['pending_tasks', 1, 'repeated', 'Task'],
    ['tasks', 2, 'repeated', 'Task'],
    ['unreachable_tasks', 5, 'repeated', 'Task'],
    ['completed_tasks', 3, 'repeated', 'Task'],
    ['orphan_tasks', 4, 'repeated', 'Task'],
  ]],
  ['master.Response.GetRoles', [
    ['roles', 1, 'repeated', 'Role'],
  ]],
  ['master.Response.GetMaster', [
    ['master_info', 1, 'optional', 'MasterInfo'],
    ['start_time', 2, 'optional', 'double'],
    ['elected_time', 3, 'optional', 'double'],
  ]],
  ['VersionInfo', [
    ['version', 1, 'required', 'string'],
    ['build_date', 2, 'optional', 'string'],
    ['build_time', 3, 'optional', 'double'],
    ['build_user', 4, 'optional', 'string'],
    ['git_sha', 5, 'optional', 'string'],
    ['git_branch', 6, 'optional', 'string'],
    ['git_tag', 7, 'optional', 'string'],
  ]],
  ['Flag', [
    ['name', 1, 'required', 'string'],
    ['value', 2, 'optional', 'string'],
  ]],
  ['Role', [
    ['name', 1, 'required', 'string'],
    ['weight', 2, 'required', 'double'],
    ['frameworks', 3, 'repeated', 'FrameworkID'],
    ['resources', 4, 'repeated', 'Resource'],
  ]],
  ['WeightInfo', [
    ['weight', 1, 'required', 'double'],
    ['role', 2, 'optional', 'string'],
  ]],
  ['maintenance.Window', [
    ['machine_ids', 1, 'repeated', 'MachineID'],
    ['unavailability', 2, 'required', 'Unavailability'],
  ]],
  ['maintenance.Schedule', [
    ['windows', 1, 'repeated', 'maintenance.Window'],
  ]],
  ['quota.QuotaRequest', [
    ['force', 1, 'optional', 'bool'],
    ['role', 2, 'optional', 'string'],
    ['guarantee', 3, 'repeated', 'Resource'],
  ]],
  ['quota.QuotaConfig', [
    ['role', 1, 'required', 'string'],
    ['guarantees', 2, 'map<string>', 'Value.Scalar'],
    ['limits', 3, 'map<string>', 'Value.Scalar'],
  ]],
];

/** Every value of every enum in the subset, with its upstream number. */
const UPSTREAM_ENUMS: ReadonlyArray<readonly [string, Readonly<Record<string, number>>]> = [
  ['scheduler.Event.Type', {
    UNKNOWN: 0, SUBSCRIBED: 1, OFFERS: 2, INVERSE_OFFERS: 9, RESCIND: 3,
    RESCIND_INVERSE_OFFER: 10, UPDATE: 4, UPDATE_OPERATION_STATUS: 11, MESSAGE: 5,
    FAILURE: 6, ERROR: 7, HEARTBEAT: 8
  }],
  ['scheduler.Response.Type', { UNKNOWN: 0, RECONCILE_OPERATIONS: 1 }],
  ['scheduler.AttributeConstraint.Selector.PseudoattributeType', { UNKNOWN: 0, HOSTNAME: 1, REGION: 2, ZONE: 3 }],
  ['scheduler.Call.Type', {
    UNKNOWN: 0, SUBSCRIBE: 1, TEARDOWN: 2, ACCEPT: 3, DECLINE: 4, ACCEPT_INVERSE_OFFERS: 13,
    DECLINE_INVERSE_OFFERS: 14, REVIVE: 5, KILL: 6, SHUTDOWN: 7, ACKNOWLEDGE: 8,
    ACKNOWLEDGE_OPERATION_STATUS: 15, RECONCILE: 9, RECONCILE_OPERATIONS: 16, MESSAGE: 10,
    REQUEST: 11, SUPPRESS: 12, UPDATE_FRAMEWORK: 17
  }],
  ['FrameworkInfo.Capability.Type', {
    UNKNOWN: 0, REVOCABLE_RESOURCES: 1, TASK_KILLING_STATE: 2, GPU_RESOURCES: 3,
    SHARED_RESOURCES: 4, PARTITION_AWARE: 5, MULTI_ROLE: 6, RESERVATION_REFINEMENT: 7,
    REGION_AWARE: 8
  }],
  ['CheckInfo.Type', { UNKNOWN: 0, COMMAND: 1, HTTP: 2, TCP: 3 }],
  ['HealthCheck.Type', { UNKNOWN: 0, COMMAND: 1, HTTP: 2, TCP: 3 }],
  ['ExecutorInfo.Type', { UNKNOWN: 0, DEFAULT: 1, CUSTOM: 2 }],
  ['MasterInfo.Capability.Type', { UNKNOWN: 0, AGENT_UPDATE: 1, AGENT_DRAINING: 2, QUOTA_V2: 3 }],
  ['AgentInfo.Capability.Type', {
    UNKNOWN: 0, MULTI_ROLE: 1, HIERARCHICAL_ROLE: 2, RESERVATION_REFINEMENT: 3,
    RESOURCE_PROVIDER: 4, RESIZE_VOLUME: 5, AGENT_OPERATION_FEEDBACK: 6, AGENT_DRAINING: 7,
    TASK_RESOURCE_LIMITS: 8
  }],
  ['Value.Type', { SCALAR: 0, RANGES: 1, SET: 2, TEXT: 3 }],
  ['Resource.ReservationInfo.Type', { UNKNOWN: 0, STATIC: 1, DYNAMIC: 2 }],
  ['Resource.DiskInfo.Source.Type', { UNKNOWN: 0, PATH: 1, MOUNT: 2, BLOCK: 3, RAW: 4 }],
  ['Offer.Operation.Type', {
    UNKNOWN: 0, LAUNCH: 1, LAUNCH_GROUP: 6, RESERVE: 2, UNRESERVE: 3, CREATE: 4, DESTROY: 5,
    GROW_VOLUME: 11, SHRINK_VOLUME: 12, CREATE_DISK: 13, DESTROY_DISK: 14
  }],
  ['TaskState', {
    TASK_STAGING: 6, TASK_STARTING: 0, TASK_RUNNING: 1, TASK_KILLING: 8, TASK_FINISHED: 2,
    TASK_FAILED: 3, TASK_KILLED: 4, TASK_ERROR: 7, TASK_LOST: 5, TASK_DROPPED: 9,
    TASK_UNREACHABLE: 10, TASK_GONE: 11, TASK_GONE_BY_OPERATOR: 12, TASK_UNKNOWN: 13
  }],
  ['OperationState', {
    OPERATION_UNSUPPORTED: 0, OPERATION_PENDING: 1, OPERATION_FINISHED: 2,
    OPERATION_FAILED: 3, OPERATION_ERROR: 4, OPERATION_DROPPED: 5, OPERATION_UNREACHABLE: 6,
    OPERATION_GONE_BY_OPERATOR: 7, OPERATION_RECOVERING: 8, OPERATION_UNKNOWN: 9
  }],
  ['TaskStatus.Source', { SOURCE_MASTER: 0, SOURCE_AGENT: 1, SOURCE_EXECUTOR: 2 }],
  ['TaskStatus.Reason', {
    REASON_COMMAND_EXECUTOR_FAILED: 0, REASON_CONTAINER_LAUNCH_FAILED: 21,
    REASON_CONTAINER_LIMITATION: 19, REASON_CONTAINER_LIMITATION_DISK: 20,
    REASON_CONTAINER_LIMITATION_MEMORY: 8, REASON_CONTAINER_PREEMPTED: 17,
    REASON_CONTAINER_UPDATE_FAILED: 22, REASON_MAX_COMPLETION_TIME_REACHED: 33,
    REASON_EXECUTOR_REGISTRATION_TIMEOUT: 23, REASON_EXECUTOR_REREGISTRATION_TIMEOUT: 24,
    REASON_EXECUTOR_TERMINATED: 1, REASON_EXECUTOR_UNREGISTERED: 2,
    REASON_FRAMEWORK_REMOVED: 3, REASON_GC_ERROR: 4, REASON_INVALID_FRAMEWORKID: 5,
    REASON_INVALID_OFFERS: 6, REASON_IO_SWITCHBOARD_EXITED: 27,
    REASON_MASTER_DISCONNECTED: 7, REASON_RECONCILIATION: 9, REASON_RESOURCES_UNKNOWN: 18,
    REASON_AGENT_DISCONNECTED: 10, REASON_AGENT_DRAINING: 34, REASON_AGENT_REMOVED: 11,
    REASON_AGENT_REMOVED_BY_OPERATOR: 31, REASON_AGENT_REREGISTERED: 32,
    REASON_AGENT_RESTARTED: 12, REASON_AGENT_UNKNOWN: 13,
    REASON_TASK_KILLED_DURING_LAUNCH: 30, REASON_TASK_CHECK_STATUS_UPDATED: 28,
    REASON_TASK_HEALTH_CHECK_STATUS_UPDATED: 29, REASON_TASK_GROUP_INVALID: 25,
    REASON_TASK_GROUP_UNAUTHORIZED: 26, REASON_TASK_INVALID: 14,
    REASON_TASK_UNAUTHORIZED: 15, REASON_TASK_UNKNOWN: 16
  }],
  ['Environment.Variable.Type', { UNKNOWN: 0, VALUE: 1, SECRET: 2 }],
  ['Secret.Type', { UNKNOWN: 0, REFERENCE: 1, VALUE: 2 }],
  ['Image.Type', { APPC: 1, DOCKER: 2 }],
  ['MountPropagation.Mode', { UNKNOWN: 0, HOST_TO_CONTAINER: 1, BIDIRECTIONAL: 2 }],
  ['Volume.Mode', { RW: 1, RO: 2 }],
  ['Volume.Source.Type', { UNKNOWN: 0, DOCKER_VOLUME: 1, HOST_PATH: 4, SANDBOX_PATH: 2, SECRET: 3, CSI_VOLUME: 5 }],
  ['Volume.Source.SandboxPath.Type', { UNKNOWN: 0, SELF: 1, PARENT: 2 }],
  ['NetworkInfo.Protocol', { IPv4: 1, IPv6: 2 }],
  ['CapabilityInfo.Capability', {
    UNKNOWN: 0, CHOWN: 1000, DAC_OVERRIDE: 1001, DAC_READ_SEARCH: 1002, FOWNER: 1003,
    FSETID: 1004, KILL: 1005, SETGID: 1006, SETUID: 1007, SETPCAP: 1008,
    LINUX_IMMUTABLE: 1009, NET_BIND_SERVICE: 1010, NET_BROADCAST: 1011, NET_ADMIN: 1012,
    NET_RAW: 1013, IPC_LOCK: 1014, IPC_OWNER: 1015, SYS_MODULE: 1016, SYS_RAWIO: 1017,
    SYS_CHROOT: 1018, SYS_PTRACE: 1019, SYS_PACCT: 1020, SYS_ADMIN: 1021, SYS_BOOT: 1022,
    SYS_NICE: 1023, SYS_RESOURCE: 1024, SYS_TIME: 1025, SYS_TTY_CONFIG: 1026, MKNOD: 1027,
    LEASE: 1028, AUDIT_WRITE: 1029, AUDIT_CONTROL: 1030, SETFCAP: 1031, MAC_OVERRIDE: 1032,
    MAC_ADMIN: 1033, SYSLOG: 1034, WAKE_ALARM: 1035, BLOCK_SUSPEND: 1036, AUDIT_READ: 1037,
    PERFMON: 1038, BPF: 1039, CHECKPOINT_RESTORE: 1040
  }],
  ['LinuxInfo.IpcMode', { UNKNOWN: 0, PRIVATE: 1, SHARE_PARENT: 2 }],
  ['RLimitInfo.RLimit.Type', {
    UNKNOWN: 0, RLMT_AS: 1, RLMT_CORE: 2, RLMT_CPU: 3, RLMT_DATA: 4, RLMT_FSIZE: 5,
    RLMT_LOCKS: 6, RLMT_MEMLOCK: 7, RLMT_MSGQUEUE: 8, RLMT_NICE: 9, RLMT_NOFILE: 10,
    RLMT_NPROC: 11, RLMT_RSS: 12, RLMT_RTPRIO: 13, RLMT_RTTIME: 14, RLMT_SIGPENDING: 15,
    RLMT_STACK: 16
  }],
  ['ContainerInfo.Type', { DOCKER: 1, MESOS: 2 }],
  ['ContainerInfo.DockerInfo.Network', { HOST: 1, BRIDGE: 2, NONE: 3, USER: 4 }],
  ['DiscoveryInfo.Visibility', { FRAMEWORK: 0, CLUSTER: 1, EXTERNAL: 2 }],
  ['master.Call.Type', {
    UNKNOWN: 0, GET_HEALTH: 1, GET_FLAGS: 2, GET_VERSION: 3, GET_METRICS: 4, GET_LOGGING_LEVEL: 5,
    SET_LOGGING_LEVEL: 6, LIST_FILES: 7, READ_FILE: 8, GET_STATE: 9, GET_AGENTS: 10,
    GET_FRAMEWORKS: 11, GET_EXECUTORS: 12, GET_OPERATIONS: 33, GET_TASKS: 13, GET_ROLES: 14,
    GET_WEIGHTS: 15, UPDATE_WEIGHTS: 16, GET_MASTER: 17, SUBSCRIBE: 18, RESERVE_RESOURCES: 19,
    UNRESERVE_RESOURCES: 20, CREATE_VOLUMES: 21, DESTROY_VOLUMES: 22, GROW_VOLUME: 34,
    SHRINK_VOLUME: 35, GET_MAINTENANCE_STATUS: 23, GET_MAINTENANCE_SCHEDULE: 24,
    UPDATE_MAINTENANCE_SCHEDULE: 25, START_MAINTENANCE: 26, STOP_MAINTENANCE: 27, DRAIN_AGENT: 37,
    DEACTIVATE_AGENT: 38, REACTIVATE_AGENT: 39, GET_QUOTA: 28, UPDATE_QUOTA: 36, SET_QUOTA: 29,
    REMOVE_QUOTA: 30, TEARDOWN: 31, MARK_AGENT_GONE: 32
  }],
  ['master.Response.Type', {
    UNKNOWN: 0, GET_HEALTH: 1, GET_FLAGS: 2, GET_VERSION: 3, GET_METRICS: 4, GET_LOGGING_LEVEL: 5,
    LIST_FILES: 6, READ_FILE: 7, GET_STATE: 8, GET_AGENTS: 9, GET_FRAMEWORKS: 10, GET_EXECUTORS: 11,
    GET_OPERATIONS: 19, GET_TASKS: 12, GET_ROLES: 13, GET_WEIGHTS: 14, GET_MASTER: 15,
    GET_MAINTENANCE_STATUS: 16, GET_MAINTENANCE_SCHEDULE: 17, GET_QUOTA: 18
  }],
];

function loadSubset(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT_DIR, target));
  root.loadSync(['mesos/v1/scheduler/scheduler.proto', 'mesos/v1/master/master.proto'], { keepCase: true });
  root.resolveAll();
  return root;
}

const root = loadSubset();
const qualify = (name: string): string => `mesos.v1.${name}`;

function labelOf(field: protobuf.Field): string {
  if (field instanceof protobuf.MapField) return `map<${field.keyType}>`;
  if (field.repeated) return 'repeated';
  return field.required ? 'required' : 'optional';
}

function typeOf(field: protobuf.Field): string {
  const resolved = field.resolvedType;
  return resolved === null ? field.type : resolved.fullName.replace(/^\.mesos\.v1\./, '');
}

function allTypes(namespace: protobuf.NamespaceBase, into: protobuf.Type[] = []): protobuf.Type[] {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) into.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) allTypes(nested, into);
  }
  return into;
}

function allEnums(namespace: protobuf.NamespaceBase, into: protobuf.Enum[] = []): protobuf.Enum[] {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Enum) into.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) allEnums(nested, into);
  }
  return into;
}

describe('proto/ matches upstream Mesos field for field', () => {
  it('the upstream table is large enough to mean something', () => {
    const fieldCount = UPSTREAM_FIELDS.reduce((sum, [, rows]) => sum + rows.length, 0);
    expect(fieldCount).toBeGreaterThan(150);
  });

  it.each(UPSTREAM_FIELDS.map(([message, rows]) => [message, rows] as const))('%s', (message, rows) => {
    const type = root.lookupType(qualify(message));
    expect(Object.keys(type.fields).sort(), 'field names').toEqual(rows.map(([name]) => name).sort());
    for (const [name, number, label, fieldType, defaultValue] of rows) {
      const field = type.fields[name]!;
      expect({ name, number: field.id, label: labelOf(field), type: typeOf(field) }).toEqual({
        name,
        number,
        label,
        type: fieldType,
      });
      const options = field.options as { default?: unknown } | undefined;
      expect({ name, default: options?.default }).toEqual({ name, default: defaultValue });
    }
  });

  it('every message in proto/ that has fields is covered by the table', () => {
    const covered = new Set(UPSTREAM_FIELDS.map(([message]) => `.${qualify(message)}`));
    const uncovered = allTypes(root)
      .filter((type) => type.fieldsArray.length > 0 && !type.fullName.endsWith('Entry'))
      // google.protobuf.Duration comes bundled with protobufjs, not from proto/.
      .filter((type) => type.fullName.startsWith('.mesos.'))
      .map((type) => type.fullName)
      .filter((name) => !covered.has(name));
    expect(uncovered).toEqual([]);
  });
});

describe('proto/ enums match upstream value for value', () => {
  it.each(UPSTREAM_ENUMS.map(([name, values]) => [name, values] as const))('%s', (name, values) => {
    expect(root.lookupEnum(qualify(name)).values).toEqual(values);
  });

  it('every enum in proto/ is covered by the table', () => {
    const covered = new Set(UPSTREAM_ENUMS.map(([name]) => `.${qualify(name)}`));
    expect(allEnums(root).map((e) => e.fullName).filter((name) => !covered.has(name))).toEqual([]);
  });

  it('spot checks: numbers that are easy to get wrong', () => {
    const taskState = root.lookupEnum('mesos.v1.TaskState').values;
    expect([taskState.TASK_STAGING, taskState.TASK_STARTING, taskState.TASK_KILLING]).toEqual([6, 0, 8]);
    const callType = root.lookupEnum('mesos.v1.scheduler.Call.Type').values;
    expect([callType.REVIVE, callType.ACCEPT_INVERSE_OFFERS, callType.UPDATE_FRAMEWORK]).toEqual([5, 13, 17]);
    const call = root.lookupType('mesos.v1.scheduler.Call');
    expect([call.fields.revive!.id, call.fields.suppress!.id, call.fields.update_framework!.id]).toEqual([15, 16, 19]);
    const filters = root.lookupType('mesos.v1.Filters');
    expect((filters.fields.refuse_seconds!.options as { default?: unknown }).default).toBe(5);
    // The operator API numbers its Response types apart from its Call types.
    const masterCall = root.lookupEnum('mesos.v1.master.Call.Type').values;
    const masterResponse = root.lookupEnum('mesos.v1.master.Response.Type').values;
    expect([masterCall.GET_STATE, masterResponse.GET_STATE, masterCall.GET_MASTER, masterResponse.GET_MASTER]).toEqual([9, 8, 17, 15]);
    const reason = root.lookupEnum('mesos.v1.TaskStatus.Reason').values;
    expect([reason.REASON_COMMAND_EXECUTOR_FAILED, reason.REASON_AGENT_DRAINING]).toEqual([0, 34]);
  });
});
