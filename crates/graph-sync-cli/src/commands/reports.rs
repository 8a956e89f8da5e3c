//! Reports more than one command prints: a service principal's saved keys (never a value) and
//! a one-line summary of a synchronization schema, a schema plan as a table.

use graph_sync_api::model::schema_as_code::SchemaPlan;
use graph_sync_api::model::{Secrets, ServicePrincipalRef, SynchronizationSchema};
use serde_json::json;

use crate::output::{self, Report, Table};

/// The keys of a read-back, never a value: masked ones say so, any other says "set".
pub(crate) fn masked_report(sp: &ServicePrincipalRef, secrets: &Secrets) -> Report {
    let mut table = Table::new(&["KEY", "VALUE"]);
    let mut items = Vec::new();
    for key in secrets.keys() {
        let masked = secrets.is_masked(key);
        table.row([
            key.as_str().to_owned(),
            if masked {
                "* (masked by Graph)"
            } else {
                "(set)"
            }
            .to_owned(),
        ]);
        items.push(json!({ "key": key.as_str(), "masked": masked }));
    }
    let text = if secrets.is_empty() {
        format!("Service principal {sp} has no secrets saved.")
    } else {
        format!(
            "Service principal {sp} has {} secret(s) saved:\n{}",
            secrets.len(),
            table.render()
        )
    };
    let json = json!({ "servicePrincipal": sp.to_string(), "secrets": items });
    Report {
        text,
        tsv: output::items_tsv(&json, "secrets"),
        json,
    }
}

/// `N directories, M rules (id: source → target, …)`.
pub(crate) fn schema_summary(schema: &SynchronizationSchema) -> String {
    let directories = schema.directories.get().map_or(0, Vec::len);
    let rules: Vec<String> = schema
        .synchronization_rules
        .iter()
        .flatten()
        .map(|rule| {
            let id = rule.id.clone().unwrap_or_default();
            match rule.name.get() {
                Some(name) => format!("{id} ({name})"),
                None => id,
            }
        })
        .collect();
    format!(
        "{directories} directories, {} rule(s): {}",
        rules.len(),
        rules.join(", ")
    )
}

/// A schema plan as a table: CHANGE, WHAT, WHERE, DETAIL.
pub(crate) fn plan_table(plan: &SchemaPlan) -> String {
    let mut table = Table::new(&["CHANGE", "WHAT", "WHERE", "DETAIL"]);
    for change in &plan.changes {
        table.row([
            change.change.as_str().to_owned(),
            change.subject.as_str().to_owned(),
            change.location(),
            change.detail.clone(),
        ]);
    }
    table.render()
}
