//! # graph-sync-model
//!
//! The types of the Microsoft Graph synchronization API (Microsoft Entra app provisioning),
//! with serde, and nothing else: no HTTP client, no async runtime, no I/O. A tool that only
//! needs to read or write provisioning payloads depends on this crate alone; the client
//! (`graph-sync-api`) and the emulator (`graph-sync-emulator`) share it, so both sides of every
//! test speak exactly the same wire format.
//!
//! ## What is here
//!
//! * [ids]: typed, validated identifiers ([`ServicePrincipalId`], [`AppId`], [`JobId`],
//!   [`TemplateId`], [`ApplicationObjectId`]) and [`ServicePrincipalRef`], which addresses a
//!   service principal by object id or by appId.
//! * [secrets]: the 45 documented [`SecretKey`]s plus an open variant for keys Graph adds
//!   later, secret values held in [`secrecy::SecretString`], the ordered, duplicate-free
//!   [`Secrets`] collection that is the body of `PUT …/synchronization/secrets`, and typed
//!   helpers for values that are not plain strings ([`SyncNotificationSettings`],
//!   [`BaseAddress`], booleans).
//! * [error]: the OData error envelope Graph answers with ([`ODataError`]).
//! * [`Synchronization`]: the `synchronization` resource of a service principal, whose secrets
//!   come back masked.
//! * [job], [template], [schema], [provisioning]: every resource and complex type of the
//!   synchronization API, with every property of the v1.0 metadata; [`ODataCollection`] for
//!   lists and their `@odata.nextLink`.
//! * [audit]: the provisioning logs (`GET /auditLogs/provisioning`):
//!   [`ProvisioningObjectSummary`] and its complex types, every v1.0 property.
//! * [schema_as_code]: a schema's exact text, the difference between two schemas, and a
//!   portable form to copy one job's configuration to another.
//! * [enums] and [flags]: every enumeration, open ([`SynchronizationStatusCode::Other`] keeps
//!   a member Graph adds later), and the three flags enums as sets written `"A, B"`.
//! * [time]: [`Timestamp`] (7 fractional digits, the `0001-01-01T00:00:00Z` "not set"
//!   sentinel) and [`IsoDuration`] (any length a `std::time::Duration` holds; Graph's longest is
//!   `P10675199DT2H48M5.4775807S`), both keeping the
//!   text they were read from.
//!
//! Response types derive `Default` (the empty document), are `#[non_exhaustive]`, make every
//! property a [`Property`] (absent, `null` or a value, each written back as read), and keep
//! properties they do not model (and `@odata.type` annotations) in an `extra` map, so a body
//! read and written again is the same JSON value. Defaults the documentation gives are applied
//! by accessors ([`ObjectMapping::flow_types`], [`AttributeMapping::flow_behavior`],
//! [`AttributeMapping::flow_type`]) and never written; see `docs/model.md`.
//!
//! ## The key decision: secrets are unreadable by accident
//!
//! A secret value is a [`secrecy::SecretString`] from the moment it enters this crate. Its
//! `Debug` prints `[REDACTED]`, it is zeroized on drop, and the only place it is read is the
//! `Serialize` implementation that puts it on the wire. Errors name the key and the rule a
//! value broke, never the value. Graph adds enum members without a version bump, so every
//! enum here is open: an unknown member is kept verbatim and sent back unchanged.

// Numbers from the network, files, arguments and the environment must never panic: every
// integer, `Duration` and `Instant` computation is checked, saturating or clamped (tests,
// whose numbers are their own, are exempt).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

pub mod audit;
mod collection;
pub mod enums;
pub mod error;
pub mod flags;
pub mod ids;
pub mod job;
pub mod pairs;
pub mod property;
pub mod provisioning;
pub mod schema;
pub mod schema_as_code;
pub mod secrets;
mod synchronization;
pub mod template;
pub mod time;

pub use error::{ErrorDetail, InnerError, MainError, ODataError};
pub use ids::{
    AppId, ApplicationObjectId, ApplicationTemplateId, DirectoryId, IdError, JobId,
    ServicePrincipalId, ServicePrincipalRef, TemplateId,
};
pub use secrets::{
    BaseAddress, Finding, IntoSecretValue, MASKED_VALUE, SecretKey, SecretKeyValue,
    SecretValueKind, Secrets, SecretsError, Severity, SyncNotificationSettings,
};
pub use synchronization::Synchronization;

pub use audit::{
    ActionStatistics, CycleSummary, DetailsInfo, Initiator, PROVISIONING_OBJECT_SUMMARY_PROPERTIES,
    ProvisioningErrorInfo, ProvisioningObjectSummary, ProvisioningServicePrincipal,
};
pub use collection::ODataCollection;
pub use enums::{
    AttributeDefinitionMetadata, AttributeFlowBehavior, AttributeFlowType,
    AttributeMappingSourceType, AttributeType, Discoverability, EntryExportStatus,
    EntrySyncOperation, EscrowBehavior, InitiatorType, Mutability, ObjectDefinitionMetadata,
    ObjectFlowType, ObjectMappingMetadata, ProvisioningAction, ProvisioningResult,
    ProvisioningStatusErrorCategory, ProvisioningStepType, QuarantineReason, RestartScopeFlag,
    ScopeOperatorMultiValuedComparisonType, ScopeOperatorType, SynchronizationMetadata,
    SynchronizationScheduleState, SynchronizationStatusCode, SynchronizationTaskExecutionResult,
};
pub use flags::{
    DirectoryDefinitionDiscoverabilities, ObjectFlowTypes, SynchronizationJobRestartScope,
};
pub use job::{
    BulkUpload, KeyValuePair, RestartRequest, StringKeyLongValuePair, StringKeyObjectValuePair,
    StringKeyStringValuePair, SynchronizationError, SynchronizationJob,
    SynchronizationJobRestartCriteria, SynchronizationProgress, SynchronizationQuarantine,
    SynchronizationSchedule, SynchronizationStatus, SynchronizationTaskExecution,
};
pub use property::Property;
pub use provisioning::{
    AcquireAccessTokenRequest, BULK_REQUEST_SCHEMA, BULK_UPLOAD_MAX_OPERATIONS, BulkOperation,
    BulkRequest, ModifiedProperty, ProvisionOnDemandDecodeError, ProvisionOnDemandRequest,
    ProvisionOnDemandResult, ProvisionedIdentity, ProvisioningLog, ProvisioningOutcome,
    ProvisioningStatusInfo, ProvisioningStep, ProvisioningSystem,
    SynchronizationJobApplicationParameters, SynchronizationJobSubject,
    SynchronizationLinkedObjects, ValidateCredentialsRequest,
};
pub use schema::{
    AttributeDefinition, AttributeDefinitionMetadataEntry, AttributeMapping,
    AttributeMappingFunctionSchema, AttributeMappingParameterSchema, AttributeMappingSource,
    ContainerFilter, DirectoryDefinition, ExpressionInputObject, Filter, FilterClause, FilterGroup,
    FilterOperand, FilterOperatorSchema, GroupFilter, ObjectDefinition,
    ObjectDefinitionMetadataEntry, ObjectMapping, ObjectMappingMetadataEntry,
    ParseExpressionRequest, ParseExpressionResponse, PublicError, PublicErrorDetail,
    PublicInnerError, ReferencedObject, StringKeyAttributeMappingSourceValuePair,
    SynchronizationRule, SynchronizationSchema,
};
pub use template::{
    Application, ApplicationServicePrincipal, InstantiateRequest, ServicePrincipal,
    SynchronizationMetadataEntry, SynchronizationTemplate,
};
pub use time::{IsoDuration, TimeError, Timestamp};

/// Re-exported so that users of this crate name the same secret type.
pub use secrecy::{ExposeSecret, SecretString};
