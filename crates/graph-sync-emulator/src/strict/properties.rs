//! What `$select`, `$filter` and `$orderby` see of the items they apply to: a type's
//! property names, and the value at a property path; and the default property sets of the
//! directory types, which the synchronization metadata does not describe.

use serde_json::Value;

/// What the property names of `$select`, `$filter` and `$orderby` are checked against.
pub(crate) trait Properties {
    /// The qualified type name, for messages.
    fn type_name(&self) -> String;
    /// Whether `name` is a property (structural or navigation).
    fn has(&self, name: &str) -> bool;
    /// Whether `name` is a navigation property.
    fn is_navigation(&self, name: &str) -> bool;
    /// Whether `$filter` compares its strings case-sensitively (directory objects: no).
    fn case_sensitive(&self) -> bool {
        false
    }
}

/// The value at `path` in `item` (`Null` when absent).
pub(crate) fn lookup<'a>(item: &'a Value, path: &[String]) -> &'a Value {
    path.iter()
        .try_fold(item, |current, step| current.get(step))
        .unwrap_or(&Value::Null)
}

/// The properties of `servicePrincipal` Graph returns by default (v1.0 resource page).
pub(crate) const SERVICE_PRINCIPAL_PROPERTIES: &[&str] = &[
    "id",
    "deletedDateTime",
    "accountEnabled",
    "addIns",
    "alternativeNames",
    "appDescription",
    "appDisplayName",
    "appId",
    "applicationTemplateId",
    "appOwnerOrganizationId",
    "appRoleAssignmentRequired",
    "appRoles",
    "description",
    "disabledByMicrosoftStatus",
    "displayName",
    "homepage",
    "info",
    "keyCredentials",
    "loginUrl",
    "logoutUrl",
    "notes",
    "notificationEmailAddresses",
    "oauth2PermissionScopes",
    "passwordCredentials",
    "preferredSingleSignOnMode",
    "preferredTokenSigningKeyThumbprint",
    "replyUrls",
    "resourceSpecificApplicationPermissions",
    "samlSingleSignOnSettings",
    "servicePrincipalNames",
    "servicePrincipalType",
    "signInAudience",
    "tags",
    "tokenEncryptionKeyId",
    "verifiedPublisher",
];

/// The properties of `application` Graph returns by default (v1.0 resource page).
pub(crate) const APPLICATION_PROPERTIES: &[&str] = &[
    "id",
    "deletedDateTime",
    "addIns",
    "api",
    "appId",
    "applicationTemplateId",
    "appRoles",
    "createdDateTime",
    "description",
    "disabledByMicrosoftStatus",
    "displayName",
    "groupMembershipClaims",
    "identifierUris",
    "info",
    "isDeviceOnlyAuthSupported",
    "isFallbackPublicClient",
    "keyCredentials",
    "notes",
    "oauth2RequirePostResponse",
    "optionalClaims",
    "parentalControlSettings",
    "passwordCredentials",
    "publicClient",
    "publisherDomain",
    "requiredResourceAccess",
    "signInAudience",
    "spa",
    "tags",
    "tokenEncryptionKeyId",
    "verifiedPublisher",
    "web",
];
