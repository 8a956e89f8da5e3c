//! Service principals and applications as Graph writes them: every answer that carries one
//! (`GET /servicePrincipals`, `GET /servicePrincipals/{id}`, `GET /applications`,
//! `GET /applications/{id}`, `instantiate`) carries the default property set of the v1.0
//! resource pages (`servicePrincipal`, `application`), with `null`, `[]` and the nested
//! defaults where Graph writes them for an application registered in the tenant.
//!
//! The property lists ([`properties`](crate::strict::properties)) are also what `$select`,
//! `$filter`, `$orderby` and `$search` may name.

use serde_json::{Value, json};

use crate::directory::PrincipalEntry;
use crate::identity::DEVELOPMENT_TENANT_ID;

/// The key under which an instantiated application remembers its gallery template.
pub(crate) const APPLICATION_TEMPLATE_ID: &str = "applicationTemplateId";
/// The key under which an instantiated application remembers when it was created.
pub(crate) const CREATED_DATE_TIME: &str = "createdDateTime";

/// `informationalUrl` with nothing set.
fn info() -> Value {
    json!({
        "logoUrl": null,
        "marketingUrl": null,
        "privacyStatementUrl": null,
        "supportUrl": null,
        "termsOfServiceUrl": null,
    })
}

/// `verifiedPublisher` of an application nobody verified.
fn verified_publisher() -> Value {
    json!({"displayName": null, "verifiedPublisherId": null, "addedDateTime": null})
}

/// The gallery template an instantiated application came from.
fn template_id(entry: &PrincipalEntry) -> Value {
    entry
        .application
        .as_ref()
        .and_then(|application| application.extra.get(APPLICATION_TEMPLATE_ID))
        .filter(|id| id.is_string())
        .cloned()
        .unwrap_or(Value::Null)
}

/// The service principal of `entry` with Graph's default property set.
pub(crate) fn service_principal(entry: &PrincipalEntry) -> Value {
    let principal = &entry.principal;
    let app_display_name = entry
        .application
        .as_ref()
        .and_then(|application| application.display_name.get().cloned())
        .unwrap_or_else(|| principal.display_name.clone());
    json!({
        "id": principal.id.as_str(),
        "deletedDateTime": null,
        "accountEnabled": true,
        "addIns": [],
        "alternativeNames": [],
        "appDescription": null,
        "appDisplayName": app_display_name,
        "appId": principal.app_id.as_str(),
        "applicationTemplateId": template_id(entry),
        "appOwnerOrganizationId": DEVELOPMENT_TENANT_ID,
        "appRoleAssignmentRequired": false,
        "appRoles": [],
        "description": null,
        "disabledByMicrosoftStatus": null,
        "displayName": principal.display_name,
        "homepage": null,
        "info": info(),
        "keyCredentials": [],
        "loginUrl": null,
        "logoutUrl": null,
        "notes": null,
        "notificationEmailAddresses": [],
        "oauth2PermissionScopes": [],
        "passwordCredentials": [],
        "preferredSingleSignOnMode": null,
        "preferredTokenSigningKeyThumbprint": null,
        "replyUrls": [],
        "resourceSpecificApplicationPermissions": [],
        "samlSingleSignOnSettings": null,
        "servicePrincipalNames": [principal.app_id.as_str()],
        "servicePrincipalType": "Application",
        "signInAudience": "AzureADMyOrg",
        "tags": [],
        "tokenEncryptionKeyId": null,
        "verifiedPublisher": verified_publisher(),
    })
}

/// The application object of `entry` (instantiated applications have one; service principals
/// registered directly have none) with Graph's default property set.
pub(crate) fn application(entry: &PrincipalEntry) -> Option<Value> {
    let application = entry.application.as_ref()?;
    let created = application
        .extra
        .get(CREATED_DATE_TIME)
        .cloned()
        .unwrap_or(Value::Null);
    Some(json!({
        "id": application.id.get(),
        "deletedDateTime": null,
        "addIns": [],
        "api": {
            "acceptMappedClaims": null,
            "knownClientApplications": [],
            "oauth2PermissionScopes": [],
            "preAuthorizedApplications": [],
            "requestedAccessTokenVersion": null,
        },
        "appId": application.app_id.get().map_or_else(
            || entry.principal.app_id.to_string(),
            Clone::clone,
        ),
        "applicationTemplateId": template_id(entry),
        "appRoles": [],
        "createdDateTime": created,
        "description": null,
        "disabledByMicrosoftStatus": null,
        "displayName": application.display_name.get(),
        "groupMembershipClaims": null,
        "identifierUris": [],
        "info": info(),
        "isDeviceOnlyAuthSupported": null,
        "isFallbackPublicClient": null,
        "keyCredentials": [],
        "notes": null,
        "oauth2RequirePostResponse": false,
        "optionalClaims": null,
        "parentalControlSettings": {
            "countriesBlockedForMinors": [],
            "legalAgeGroupRule": "Allow",
        },
        "passwordCredentials": [],
        "publicClient": {"redirectUris": []},
        "publisherDomain": null,
        "requiredResourceAccess": [],
        "signInAudience": "AzureADMyOrg",
        "spa": {"redirectUris": []},
        "tags": [],
        "tokenEncryptionKeyId": null,
        "verifiedPublisher": verified_publisher(),
        "web": {
            "homePageUrl": null,
            "implicitGrantSettings": {
                "enableAccessTokenIssuance": false,
                "enableIdTokenIssuance": false,
            },
            "logoutUrl": null,
            "redirectUris": [],
            "redirectUriSettings": [],
        },
    }))
}

#[cfg(test)]
mod tests {
    use graph_sync_model::{AppId, Application, Property, ServicePrincipalId};

    use super::*;
    use crate::directory::ServicePrincipal;
    use crate::strict::properties::{APPLICATION_PROPERTIES, SERVICE_PRINCIPAL_PROPERTIES};

    fn entry(with_application: bool) -> PrincipalEntry {
        let mut entry = PrincipalEntry::new(ServicePrincipal::new(
            ServicePrincipalId::new("11111111-1111-1111-1111-111111111111").unwrap(),
            AppId::new("22222222-2222-2222-2222-222222222222").unwrap(),
            "Demo",
        ));
        if with_application {
            let mut application = Application::default();
            application.id = Property::Value("33333333-3333-3333-3333-333333333333".into());
            application.display_name = Property::Value("Demo".into());
            application
                .extra
                .insert(APPLICATION_TEMPLATE_ID.into(), json!("8adf8e6e"));
            entry.application = Some(application);
        }
        entry
    }

    fn keys(value: &Value) -> Vec<&str> {
        let mut keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    fn sorted(list: &[&'static str]) -> Vec<&'static str> {
        let mut list = list.to_vec();
        list.sort_unstable();
        list
    }

    #[test]
    fn the_default_property_sets_are_exactly_the_documented_lists() {
        let principal = service_principal(&entry(true));
        assert_eq!(keys(&principal), sorted(SERVICE_PRINCIPAL_PROPERTIES));
        let application = application(&entry(true)).unwrap();
        assert_eq!(keys(&application), sorted(APPLICATION_PROPERTIES));
        assert!(super::application(&entry(false)).is_none());
    }

    #[test]
    fn values_are_those_graph_writes_for_a_registered_application() {
        let principal = service_principal(&entry(true));
        assert_eq!(principal["accountEnabled"], true);
        assert_eq!(principal["servicePrincipalType"], "Application");
        assert_eq!(
            principal["servicePrincipalNames"],
            json!(["22222222-2222-2222-2222-222222222222"])
        );
        assert_eq!(principal["applicationTemplateId"], "8adf8e6e");
        assert_eq!(principal["appOwnerOrganizationId"], DEVELOPMENT_TENANT_ID);
        assert_eq!(principal["homepage"], Value::Null);
        assert_eq!(principal["tags"], json!([]));
        let direct = service_principal(&entry(false));
        assert_eq!(direct["applicationTemplateId"], Value::Null);
        assert_eq!(direct["appDisplayName"], "Demo");
        let application = application(&entry(true)).unwrap();
        assert_eq!(application["id"], "33333333-3333-3333-3333-333333333333");
        assert_eq!(application["appId"], "22222222-2222-2222-2222-222222222222");
        assert_eq!(
            application["parentalControlSettings"]["legalAgeGroupRule"],
            "Allow"
        );
    }
}
