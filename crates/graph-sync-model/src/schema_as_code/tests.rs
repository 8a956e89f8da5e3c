//! Tests of the schema diff and the portable form on a schema shaped like Graph's.

use serde_json::{Value, json};

use super::*;
use crate::schema::SynchronizationSchema;

fn schema(value: &Value) -> SynchronizationSchema {
    serde_json::from_value(value.clone()).unwrap()
}

fn base() -> Value {
    json!({
        "id": "scim.job1",
        "version": "Date:2024-01-01",
        "directories": [
            {"id": "d-entra-1", "name": "Azure Active Directory", "version": "3",
             "objects": [{"name": "User", "attributes": [
                 {"name": "mail", "type": "String"}, {"name": "objectId", "type": "String", "anchor": true}]}]},
            {"id": "d-scim-1", "name": "customappsso",
             "objects": [{"name": "User", "attributes": [{"name": "userName", "type": "String"}]}]}
        ],
        "synchronizationRules": [{
            "id": "rule-1", "name": "USER_OUTBOUND_USER", "priority": 1,
            "sourceDirectoryName": "Azure Active Directory", "targetDirectoryName": "customappsso",
            "objectMappings": [{
                "enabled": true, "name": "Users", "sourceObjectName": "User", "targetObjectName": "User",
                "scope": {"groups": [{"name": "sales", "clauses": [
                    {"operatorName": "EQUALS", "sourceOperandName": "department", "targetOperand": {"values": ["Sales"]}}]}]},
                "attributeMappings": [
                    {"targetAttributeName": "userName", "matchingPriority": 1, "flowBehavior": "FlowWhenChanged",
                     "source": {"expression": "[mailNickname]", "name": "mailNickname", "type": "Attribute"}},
                    {"targetAttributeName": "displayName",
                     "source": {"expression": "[displayName]", "name": "displayName", "type": "Attribute"}}
                ]
            }]
        }]
    })
}

fn details(plan: &SchemaPlan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {}: {}",
                c.change.as_str(),
                c.subject.as_str(),
                c.location(),
                c.detail
            )
        })
        .collect()
}

#[test]
fn the_same_schema_has_no_changes_and_reordering_is_not_a_change() {
    let a = base();
    assert!(SchemaPlan::between(&schema(&a), &schema(&a)).is_empty());
    let mut b = a.clone();
    let mappings = b
        .pointer_mut("/synchronizationRules/0/objectMappings/0/attributeMappings")
        .and_then(Value::as_array_mut)
        .unwrap();
    mappings.reverse();
    assert!(SchemaPlan::between(&schema(&a), &schema(&b)).is_empty());
}

#[test]
fn changes_are_reported_at_the_level_admins_think_in() {
    let a = base();
    let mut b = a.clone();
    let mapping = b
        .pointer_mut("/synchronizationRules/0/objectMappings/0")
        .unwrap();
    mapping["enabled"] = json!(false);
    mapping["attributeMappings"][0]["source"] = json!({"expression": "[userPrincipalName]", "name": "userPrincipalName", "type": "Attribute"});
    mapping["attributeMappings"][0]["matchingPriority"] = json!(2);
    mapping["attributeMappings"][1] = json!({"targetAttributeName": "externalId", "defaultValue": "none",
        "source": {"type": "Function", "name": "Join", "parameters": [
            {"key": "separator", "value": {"type": "Constant", "name": "."}},
            {"key": "source", "value": {"type": "Attribute", "name": "givenName"}}]}});
    mapping["scope"]["groups"][0]["clauses"][0]["targetOperand"]["values"] = json!(["Marketing"]);
    b["directories"][1]["objects"][0]["attributes"][0]["required"] = json!(true);
    b["directories"][1]["objects"][0]["attributes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "externalId", "type": "String"}));
    let plan = SchemaPlan::between(&schema(&a), &schema(&b));
    let lines = details(&plan);
    let expected = [
        "changed object mapping USER_OUTBOUND_USER / User → User: enabled: true → false",
        "removed scoping filter USER_OUTBOUND_USER / User → User / scope groups: department EQUALS \"Sales\"",
        "added scoping filter USER_OUTBOUND_USER / User → User / scope groups: department EQUALS \"Marketing\"",
        "changed attribute mapping USER_OUTBOUND_USER / User → User / userName: matchingPriority: 1 → 2",
        "changed attribute mapping USER_OUTBOUND_USER / User → User / userName: source: [mailNickname] → [userPrincipalName]",
        "removed attribute mapping USER_OUTBOUND_USER / User → User / displayName: [displayName] → displayName",
        "added attribute mapping USER_OUTBOUND_USER / User → User / externalId: Join(\".\", [givenName]) → externalId (default \"none\")",
        "changed attribute customappsso / User / userName: required: (absent) → true",
        "added attribute customappsso / User / externalId: externalId (String)",
    ];
    assert_eq!(lines, expected, "{lines:#?}");
    assert_eq!(plan.counts(), (3, 2, 4));
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["changes"][0]["subject"], "objectMapping");
    assert_eq!(json["changes"][0]["before"], true);
    assert!(
        json["changes"][7].get("before").is_none(),
        "absent stays absent"
    );
}

#[test]
fn absent_and_null_are_different_and_rules_match_by_id() {
    // A path names the item as the first schema has it.
    let a = base();
    let mut b = a.clone();
    b["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"][1]["defaultValue"] =
        Value::Null;
    b["synchronizationRules"][0]["name"] = json!("renamed");
    let lines = details(&SchemaPlan::between(&schema(&a), &schema(&b)));
    assert_eq!(
        lines,
        [
            "changed rule USER_OUTBOUND_USER: name: USER_OUTBOUND_USER → renamed",
            "changed attribute mapping USER_OUTBOUND_USER / User → User / displayName: defaultValue: (absent) → null",
        ]
    );
}

#[test]
fn whole_rules_and_directories_are_added_and_removed() {
    let a = base();
    let mut b = a.clone();
    b["synchronizationRules"] = json!([]);
    b["directories"].as_array_mut().unwrap().remove(1);
    let lines = details(&SchemaPlan::between(&schema(&a), &schema(&b)));
    assert_eq!(
        lines,
        [
            "removed rule USER_OUTBOUND_USER: rule USER_OUTBOUND_USER (Azure Active Directory → customappsso), 1 object mapping(s)",
            "removed directory customappsso: directory customappsso, 1 object(s)",
        ]
    );
    let mut c = a.clone();
    c.as_object_mut().unwrap().remove("synchronizationRules");
    let lines = details(&SchemaPlan::between(&schema(&b), &schema(&c)));
    assert_eq!(
        lines[0],
        "changed schema : synchronizationRules: [] → (absent)"
    );
}

#[test]
fn an_export_has_no_job_ids_and_maps_them_back_onto_another_job() {
    let mut dev = base();
    dev["@odata.context"] = json!("https://graph.microsoft.com/v1.0/$metadata#x");
    let export = PortableSchema::export(&schema(&dev), Some("scim".to_owned()));
    let text = serde_json::to_string(&export).unwrap();
    for gone in [
        "scim.job1",
        "d-entra-1",
        "d-scim-1",
        "Date:2024-01-01",
        "@odata.context",
        "\"3\"",
    ] {
        assert!(!text.contains(gone), "{gone} in {text}");
    }
    assert!(PortableSchema::is_export(text.as_bytes()));
    let read = PortableSchema::from_json(text.as_bytes()).unwrap();
    assert_eq!(read, export);

    let mut prod = base();
    prod["id"] = json!("scim.job2");
    prod["directories"][0]["id"] = json!("d-entra-2");
    prod["directories"][1]["id"] = json!("d-scim-2");
    prod["synchronizationRules"][0]["objectMappings"][0]["enabled"] = json!(false);
    let onto = read.onto(&schema(&prod)).unwrap();
    let lines = details(&SchemaPlan::between(&schema(&prod), &onto));
    assert_eq!(
        lines,
        ["changed object mapping USER_OUTBOUND_USER / User → User: enabled: false → true"]
    );
    assert!(SchemaPlan::between(&portable(&schema(&dev)), &portable(&onto)).is_empty());

    let mut other = base();
    other["directories"][1]["name"] = json!("salesforce");
    assert!(matches!(
        read.onto(&schema(&other)),
        Err(PortableError::UnknownDirectory(name)) if name == "customappsso"
    ));
    assert!(matches!(
        PortableSchema::from_json(serde_json::to_string(&dev).unwrap().as_bytes()),
        Err(PortableError::NotAnExport(_))
    ));
}
