//! A tenant you can describe: the tenant file (`--tenant-file tenant.toml`) that declares app
//! registrations (client ids, secrets, certificates, federated tokens, granted application
//! permissions), managed identities, application templates, service principals with their
//! synchronization templates, target systems and jobs, and the `[emulator]` table (throttle,
//! faults, latency, selection: the command line's flags, read by the same parser).
//!
//! ```toml
//! development_credentials = true        # also the well-known development credentials
//! app_service_identity_header = "my-header"
//!
//! [emulator]
//! throttle = "20/5"
//! faults = "5%"
//! seed = 7
//!
//! [[application]]
//! display_name = "HR provisioning"
//! client_id = "11111111-1111-4111-8111-111111111111"
//! client_secrets = ["hr-secret"]
//! certificates = ["hr-cert.pem"]        # relative to the tenant file
//! roles = ["Synchronization.ReadWrite.All"]
//!
//! [[managed_identity]]                  # no client_id: the system-assigned identity
//! roles = ["Synchronization.Read.All"]
//!
//! [[service_principal]]
//! display_name = "HR app"
//! id = "22222222-2222-4222-8222-222222222222"
//! app_id = "11111111-1111-4111-8111-111111111111"
//! target = { base_address = "https://scim.example.com/scim", secret_token = "t0ken" }
//! jobs = ["scim"]
//!
//! [[service_principal.assigned]]      # a user assigned to the application
//! id = "7d3f6e1a-2b4c-4d5e-8f90-a1b2c3d4e5f6"
//! attributes = { displayName = "Megan Bowen", userPrincipalName = "MeganB@contoso.com" }
//! ```
//!
//! Reading never panics: a file that is not TOML, a key the format does not have, a value of
//! the wrong type, an id that is not a GUID, an unknown permission or a certificate that cannot
//! be read is a [`TenantFileError`] that names the file, the line and column, and the line.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use graph_sync_model::{AppId, ApplicationTemplateId, ServicePrincipalId, TemplateId};
use serde::Deserialize;
use toml::Spanned;

use crate::control::settings::{Flags, Settings};
use crate::directory::{ServicePrincipal, TemplateEntry};
use crate::emulator::{Emulator, random_guid};
use crate::identity::SYSTEM_ASSIGNED_CLIENT_ID;
use crate::identity::permissions;
use crate::provisioning::catalog;
use crate::provisioning::checks::TargetSystem;
use crate::provisioning::events::SourceObject;
use crate::provisioning::job::JobEntry;

/// The largest tenant file read (1 MiB): it describes a tenant, not a directory dump.
const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// A tenant file that cannot be used: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantFileError {
    file: String,
    /// 1-based line and column, when the problem has a place.
    place: Option<(usize, usize)>,
    /// The text of that line.
    line: Option<String>,
    message: String,
}

impl TenantFileError {
    fn at(file: &Source<'_>, span: Option<std::ops::Range<usize>>, message: String) -> Self {
        let place = span.map(|span| file.place(span.start));
        Self {
            file: file.name.clone(),
            line: place.and_then(|(line, _)| file.text.lines().nth(line - 1).map(str::to_owned)),
            place,
            message,
        }
    }

    /// The 1-based line of the problem, if it has one.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        self.place.map(|(line, _)| line)
    }

    /// What is wrong, without the place.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TenantFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.file, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some(text) = &self.line {
            write!(f, "\n  | {}", text.trim_end())?;
        }
        Ok(())
    }
}

impl std::error::Error for TenantFileError {}

/// The text of a tenant file and its name, to turn byte offsets into places.
struct Source<'a> {
    name: String,
    text: &'a str,
}

impl Source<'_> {
    /// The 1-based line and column (in characters) of byte `offset`.
    fn place(&self, offset: usize) -> (usize, usize) {
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit_once('\n')
            .map_or(before, |(_, rest)| rest)
            .chars()
            .count()
            + 1;
        (line, column)
    }
}

/// A value of the `[emulator]` table: written as a string or a number, read as the flag's
/// text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum FlagValue {
    Text(String),
    Integer(i64),
    Float(f64),
    List(Vec<String>),
}

impl FlagValue {
    fn into_text(self) -> String {
        match self {
            Self::Text(text) => text,
            Self::Integer(number) => number.to_string(),
            Self::Float(number) => number.to_string(),
            Self::List(items) => items.join(","),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmulatorTable {
    throttle: Option<FlagValue>,
    faults: Option<FlagValue>,
    seed: Option<FlagValue>,
    fault_kinds: Option<FlagValue>,
    latency: Option<FlagValue>,
    only: Option<FlagValue>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationTable {
    client_id: Spanned<String>,
    display_name: Option<String>,
    #[serde(default)]
    client_secrets: Vec<String>,
    #[serde(default)]
    certificates: Vec<Spanned<String>>,
    #[serde(default)]
    federated_tokens: Vec<String>,
    roles: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManagedIdentityTable {
    client_id: Option<Spanned<String>>,
    roles: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationTemplateTable {
    id: Spanned<String>,
    #[serde(default = "scim")]
    templates: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetTable {
    base_address: String,
    secret_token: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignedTable {
    id: Spanned<String>,
    #[serde(rename = "type")]
    type_name: Option<Spanned<String>>,
    #[serde(default)]
    attributes: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicePrincipalTable {
    display_name: Spanned<String>,
    id: Option<Spanned<String>>,
    app_id: Option<Spanned<String>>,
    #[serde(default = "scim")]
    templates: Vec<Spanned<String>>,
    target: Option<TargetTable>,
    #[serde(default)]
    jobs: Vec<Spanned<String>>,
    #[serde(default)]
    assigned: Vec<AssignedTable>,
}

/// `["scim"]`, the default synchronization templates.
fn scim() -> Vec<Spanned<String>> {
    vec![Spanned::new(0..0, SCIM_TEMPLATE.to_owned())]
}

/// The one synchronization template the emulator's catalog has.
const SCIM_TEMPLATE: &str = "scim";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTables {
    development_credentials: Option<bool>,
    app_service_identity_header: Option<Spanned<String>>,
    emulator: Option<EmulatorTable>,
    #[serde(default)]
    application: Vec<ApplicationTable>,
    #[serde(default)]
    managed_identity: Vec<ManagedIdentityTable>,
    #[serde(default)]
    application_template: Vec<ApplicationTemplateTable>,
    #[serde(default)]
    service_principal: Vec<ServicePrincipalTable>,
}

/// An app registration as the tenant file declares it, checked.
#[derive(Debug, Clone)]
struct AppRegistration {
    client_id: String,
    display_name: Option<String>,
    secrets: Vec<String>,
    certificates: Vec<Vec<u8>>,
    federated_tokens: Vec<String>,
    roles: Option<Vec<String>>,
}

/// A managed identity, checked; `client_id` `None` is the system-assigned one.
#[derive(Debug, Clone)]
struct ManagedIdentity {
    client_id: Option<String>,
    roles: Option<Vec<String>>,
}

/// A service principal, checked.
#[derive(Debug, Clone)]
struct PrincipalDeclaration {
    display_name: String,
    id: Option<ServicePrincipalId>,
    app_id: Option<AppId>,
    templates: usize,
    target: Option<TargetSystem>,
    jobs: usize,
    /// The users and groups assigned to its application.
    assigned: Vec<SourceObject>,
}

/// A tenant file, read and checked: apply it with [`Emulator::load_tenant`].
///
/// Its `Debug` shows counts only: the file holds secrets.
#[derive(Clone)]
pub struct TenantFile {
    name: String,
    development_credentials: Option<bool>,
    identity_header: Option<String>,
    flags: Flags,
    applications: Vec<AppRegistration>,
    managed_identities: Vec<ManagedIdentity>,
    application_templates: Vec<ApplicationTemplateId>,
    service_principals: Vec<PrincipalDeclaration>,
}

impl fmt::Debug for TenantFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantFile")
            .field("name", &self.name)
            .field("applications", &self.applications.len())
            .field("managed_identities", &self.managed_identities.len())
            .field("application_templates", &self.application_templates.len())
            .field("service_principals", &self.service_principals.len())
            .finish_non_exhaustive()
    }
}

impl TenantFile {
    /// Reads the tenant file at `path`; certificate paths in it are relative to its folder.
    ///
    /// # Errors
    ///
    /// [`TenantFileError`] when the file cannot be read, is larger than 1 MiB, or is not a
    /// valid tenant file (see [`TenantFile::parse`]).
    pub fn read(path: &Path) -> Result<Self, TenantFileError> {
        let name = path.display().to_string();
        let fail = |message: String| TenantFileError {
            file: name.clone(),
            place: None,
            line: None,
            message,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| fail(format!("cannot read the tenant file: {e}")))?
            .len();
        if size > MAX_FILE_SIZE {
            return Err(fail(format!(
                "the tenant file is {size} bytes; at most {MAX_FILE_SIZE} are read"
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| fail(format!("cannot read the tenant file: {e}")))?;
        let folder = path.parent().unwrap_or_else(|| Path::new("."));
        Self::parse_named(&name, &text, folder)
    }

    /// Reads a tenant file from `text`; certificate paths are relative to `folder`.
    ///
    /// # Errors
    ///
    /// [`TenantFileError`], naming the line, when the text is not TOML, has a key the format
    /// does not know or a value of the wrong type, an id that is not a GUID, a permission
    /// Microsoft Graph does not define for the synchronization API, a synchronization template
    /// or job template other than `scim`, or a certificate that cannot be read or is not RSA.
    pub fn parse(text: &str, folder: &Path) -> Result<Self, TenantFileError> {
        Self::parse_named("tenant file", text, folder)
    }

    fn parse_named(name: &str, text: &str, folder: &Path) -> Result<Self, TenantFileError> {
        let source = Source {
            name: name.to_owned(),
            text,
        };
        let tables: FileTables = toml::from_str(text)
            .map_err(|e| TenantFileError::at(&source, e.span(), e.message().trim().to_owned()))?;
        let checker = Checker {
            source: &source,
            folder,
        };
        checker.check(tables)
    }

    /// The `[emulator]` table as command-line flags.
    #[must_use]
    pub fn flags(&self) -> &Flags {
        &self.flags
    }

    /// The settings of the `[emulator]` table with `flags` (the command line's) taking
    /// precedence key by key, read by the command line's parser.
    ///
    /// # Errors
    ///
    /// The parser's message, naming the flag (the table's key has the same name, with `_`
    /// for `-`), prefixed by the file's name.
    pub fn settings_with(&self, flags: &Flags) -> Result<Settings, String> {
        let mut merged = self.flags.clone();
        let pairs = [
            (&mut merged.throttle, &flags.throttle),
            (&mut merged.faults, &flags.faults),
            (&mut merged.seed, &flags.seed),
            (&mut merged.fault_kinds, &flags.fault_kinds),
            (&mut merged.latency, &flags.latency),
            (&mut merged.only, &flags.only),
        ];
        for (slot, given) in pairs {
            if given.is_some() {
                slot.clone_from(given);
            }
        }
        Settings::from_flags(&merged)
            .map_err(|message| format!("{} ([emulator] table or flags): {message}", self.name))
    }

    /// Whether the file asks for the well-known development credentials (`None`: it does not
    /// say; the command decides).
    #[must_use]
    pub fn development_credentials(&self) -> Option<bool> {
        self.development_credentials
    }

    /// Whether the file declares service principals.
    #[must_use]
    pub fn declares_service_principals(&self) -> bool {
        !self.service_principals.is_empty()
    }

    /// What the file declares, in one line per kind, for a banner.
    #[must_use]
    pub fn describe(&self) -> String {
        let mut text = String::new();
        let _ = writeln!(text, "Tenant file:   {}", self.name);
        for app in &self.applications {
            let _ = writeln!(
                text,
                "  application {}{}: {} secret(s), {} certificate(s), {} federated token(s); roles: {}",
                app.client_id,
                app.display_name
                    .as_deref()
                    .map(|name| format!(" ({name:?})"))
                    .unwrap_or_default(),
                app.secrets.len(),
                app.certificates.len(),
                app.federated_tokens.len(),
                roles_text(app.roles.as_deref()),
            );
        }
        for identity in &self.managed_identities {
            let _ = writeln!(
                text,
                "  managed identity {}; roles: {}",
                identity.client_id.as_deref().unwrap_or("(system-assigned)"),
                roles_text(identity.roles.as_deref()),
            );
        }
        for template in &self.application_templates {
            let _ = writeln!(text, "  application template {template}");
        }
        let jobs: usize = self.service_principals.iter().map(|sp| sp.jobs).sum();
        let targets = self
            .service_principals
            .iter()
            .filter(|sp| sp.target.is_some())
            .count();
        let assigned: usize = self
            .service_principals
            .iter()
            .map(|sp| sp.assigned.len())
            .sum();
        let _ = writeln!(
            text,
            "  {} service principal(s) ({targets} with their own target system), {jobs} job(s), \
             {assigned} assigned user(s)/group(s)",
            self.service_principals.len()
        );
        text
    }
}

/// A role list as the banner writes it.
fn roles_text(roles: Option<&[String]>) -> String {
    match roles {
        None => "the default (Synchronization.ReadWrite.All, Application.ReadWrite.OwnedBy, \
                 SynchronizationData-User.Upload)"
            .to_owned(),
        Some([]) => "none".to_owned(),
        Some(roles) => roles.join(", "),
    }
}

/// Checks the tables and turns them into a [`TenantFile`].
struct Checker<'a> {
    source: &'a Source<'a>,
    folder: &'a Path,
}

impl Checker<'_> {
    fn error<T>(
        &self,
        span: std::ops::Range<usize>,
        message: String,
    ) -> Result<T, TenantFileError> {
        let span = (!span.is_empty()).then_some(span);
        Err(TenantFileError::at(self.source, span, message))
    }

    fn guid(&self, value: &Spanned<String>, what: &str) -> Result<String, TenantFileError> {
        match uuid::Uuid::parse_str(value.get_ref().trim()) {
            Ok(guid) => Ok(guid.to_string()),
            Err(_) => self.error(
                value.span(),
                format!("{what} must be a GUID, got {:?}", value.get_ref()),
            ),
        }
    }

    fn roles(
        &self,
        roles: Option<Vec<Spanned<String>>>,
    ) -> Result<Option<Vec<String>>, TenantFileError> {
        let Some(roles) = roles else {
            return Ok(None);
        };
        let mut checked = Vec::new();
        for role in roles {
            match permissions::known(role.get_ref()) {
                Some(name) => checked.push(name.to_owned()),
                None => {
                    return self.error(
                        role.span(),
                        format!(
                            "{:?} is not an application permission of the synchronization API \
                             (e.g. Synchronization.ReadWrite.All, Synchronization.Read.All, \
                             Application.ReadWrite.OwnedBy, SynchronizationData-User.Upload)",
                            role.get_ref()
                        ),
                    );
                }
            }
        }
        Ok(Some(checked))
    }

    /// An assigned object: a GUID id, a type (default `User`), its attributes (`objectId` is
    /// its id).
    fn assigned(&self, table: AssignedTable) -> Result<SourceObject, TenantFileError> {
        let id = self.guid(&table.id, "id")?;
        let type_name = match &table.type_name {
            None => "User".to_owned(),
            Some(name) if name.get_ref().trim().is_empty() => {
                return self.error(name.span(), "type must not be empty".to_owned());
            }
            Some(name) => name.get_ref().trim().to_owned(),
        };
        let mut object = SourceObject::bare(&id, &type_name);
        object.attributes.extend(table.attributes);
        object.attributes.insert("objectId".to_owned(), id);
        Ok(object)
    }

    fn template(&self, name: &Spanned<String>) -> Result<(), TenantFileError> {
        if name.get_ref().eq_ignore_ascii_case(SCIM_TEMPLATE) {
            Ok(())
        } else {
            self.error(
                name.span(),
                format!(
                    "unknown synchronization template {:?}: the emulator's catalog has \"scim\"",
                    name.get_ref()
                ),
            )
        }
    }

    fn certificate(&self, path: &Spanned<String>) -> Result<Vec<u8>, TenantFileError> {
        let full = PathBuf::from(self.folder).join(path.get_ref());
        let bytes = std::fs::read(&full).or_else(|e| {
            self.error(
                path.span(),
                format!("cannot read the certificate {}: {e}", full.display()),
            )
        })?;
        match crate::identity::check_certificate(&bytes) {
            Ok(_) => Ok(bytes),
            Err(e) => self.error(path.span(), format!("{}: {e}", full.display())),
        }
    }

    fn check(&self, tables: FileTables) -> Result<TenantFile, TenantFileError> {
        let emulator = tables.emulator.unwrap_or_default();
        let flags = Flags {
            throttle: emulator.throttle.map(FlagValue::into_text),
            faults: emulator.faults.map(FlagValue::into_text),
            seed: emulator.seed.map(FlagValue::into_text),
            fault_kinds: emulator.fault_kinds.map(FlagValue::into_text),
            latency: emulator.latency.map(FlagValue::into_text),
            only: emulator.only.map(FlagValue::into_text),
        };

        let identity_header = match tables.app_service_identity_header {
            Some(header) if header.get_ref().trim().is_empty() => {
                return self.error(
                    header.span(),
                    "app_service_identity_header must not be empty".to_owned(),
                );
            }
            header => header.map(Spanned::into_inner),
        };

        let mut applications = Vec::new();
        for app in tables.application {
            let certificates = app
                .certificates
                .iter()
                .map(|path| self.certificate(path))
                .collect::<Result<_, _>>()?;
            applications.push(AppRegistration {
                client_id: self.guid(&app.client_id, "client_id")?,
                display_name: app.display_name,
                secrets: app.client_secrets,
                certificates,
                federated_tokens: app.federated_tokens,
                roles: self.roles(app.roles)?,
            });
        }

        let mut managed_identities = Vec::new();
        for identity in tables.managed_identity {
            managed_identities.push(ManagedIdentity {
                client_id: identity
                    .client_id
                    .as_ref()
                    .map(|id| self.guid(id, "client_id"))
                    .transpose()?,
                roles: self.roles(identity.roles)?,
            });
        }

        let mut application_templates = Vec::new();
        for template in tables.application_template {
            let id = self.guid(&template.id, "id")?;
            for name in &template.templates {
                self.template(name)?;
            }
            // A GUID is a well-formed id.
            application_templates.extend(ApplicationTemplateId::new(id).ok());
        }

        let mut service_principals = Vec::new();
        for sp in tables.service_principal {
            if sp.display_name.get_ref().trim().is_empty() {
                return self.error(
                    sp.display_name.span(),
                    "display_name must not be empty".to_owned(),
                );
            }
            for name in sp.templates.iter().chain(&sp.jobs) {
                self.template(name)?;
            }
            let id = sp
                .id
                .as_ref()
                .map(|id| self.guid(id, "id"))
                .transpose()?
                .and_then(|id| ServicePrincipalId::new(id).ok());
            let app_id = sp
                .app_id
                .as_ref()
                .map(|id| self.guid(id, "app_id"))
                .transpose()?
                .and_then(|id| AppId::new(id).ok());
            let mut assigned = Vec::new();
            for object in sp.assigned {
                assigned.push(self.assigned(object)?);
            }
            service_principals.push(PrincipalDeclaration {
                display_name: sp.display_name.into_inner(),
                id,
                app_id,
                templates: sp.templates.len(),
                target: sp
                    .target
                    .map(|target| TargetSystem::new(target.base_address, target.secret_token)),
                jobs: sp.jobs.len(),
                assigned,
            });
        }

        Ok(TenantFile {
            name: self.source.name.clone(),
            development_credentials: tables.development_credentials,
            identity_header,
            flags,
            applications,
            managed_identities,
            application_templates,
            service_principals,
        })
    }
}

impl Emulator {
    /// Loads what `tenant` declares: app registrations with their credentials and roles,
    /// managed identities, application templates, service principals with their templates,
    /// target systems and jobs. Returns the service principals, in the file's order. The
    /// `[emulator]` table is not applied here: see [`TenantFile::settings_with`] and
    /// [`Emulator::configure`].
    pub fn load_tenant(&self, tenant: &TenantFile) -> Vec<ServicePrincipal> {
        if let Some(header) = &tenant.identity_header {
            self.set_app_service_identity_header(header);
        }
        for app in &tenant.applications {
            for secret in &app.secrets {
                self.register_app_with_secret(&app.client_id, secret);
            }
            for certificate in &app.certificates {
                // Checked when the file was read.
                if let Err(error) = self.register_app_with_certificate(&app.client_id, certificate)
                {
                    tracing::warn!(%error, "tenant file: certificate not registered");
                }
            }
            for token in &app.federated_tokens {
                self.register_app_with_federated_token(&app.client_id, token);
            }
            if let Some(roles) = &app.roles {
                self.grant_roles(&app.client_id, roles.clone());
            }
        }
        for identity in &tenant.managed_identities {
            let client_id = match &identity.client_id {
                Some(client_id) => {
                    self.add_user_assigned_identity(client_id);
                    client_id.as_str()
                }
                None => {
                    self.enable_system_assigned_identity();
                    SYSTEM_ASSIGNED_CLIENT_ID
                }
            };
            if let Some(roles) = &identity.roles {
                self.grant_roles(client_id, roles.clone());
            }
        }
        for template in &tenant.application_templates {
            self.add_application_template(template, vec![catalog::scim_template("")]);
        }
        tenant
            .service_principals
            .iter()
            .map(|declared| self.load_principal(declared))
            .collect()
    }

    fn load_principal(&self, declared: &PrincipalDeclaration) -> ServicePrincipal {
        let principal = ServicePrincipal::new(
            declared
                .id
                .clone()
                .unwrap_or_else(|| random_guid(ServicePrincipalId::new)),
            declared
                .app_id
                .clone()
                .unwrap_or_else(|| random_guid(AppId::new)),
            &declared.display_name,
        );
        self.insert_service_principal(principal.clone());
        if declared.templates > 0 {
            self.add_template(&principal.id, Self::scim_template());
        }
        if let Some(target) = &declared.target {
            self.set_target_system(&principal.id, target.clone());
        }
        for object in &declared.assigned {
            self.assign(&principal.id, object.clone());
        }
        let template_id = TemplateId::new(SCIM_TEMPLATE).ok();
        self.state().directory.with(&principal.id, |entry| {
            let schema = entry
                .templates
                .iter()
                .find(|t| t.id() == SCIM_TEMPLATE)
                .and_then(|t| t.template.schema.get().cloned())
                .unwrap_or_else(|| TemplateEntry::new(catalog::scim_template("")).factory_schema);
            for _ in 0..declared.jobs {
                if let Some(job) = template_id
                    .as_ref()
                    .and_then(|id| JobEntry::create(id, &schema))
                {
                    entry.jobs.push(job);
                }
            }
        });
        principal
    }
}
