//! `graph-sync expression test|functions`: Graph's parseExpression with a test object (the
//! result, or the error with its position underlined), and the mapping functions with their
//! parameters. `expression test --from-logs ID` takes its test object from provisioning event
//! ID: the source attribute values the event's import step read.

use std::collections::BTreeMap;
use std::path::Path;

use graph_sync_api::GraphSyncClient;
use graph_sync_api::model::audit::ProvisioningObjectSummary;
use graph_sync_api::model::{
    AttributeMappingFunctionSchema, AttributeMappingSource, AttributeMappingSourceType,
    ExpressionInputObject, ParseExpressionRequest, ParseExpressionResponse, Property,
    StringKeyObjectValuePair,
};
use graph_sync_api::redact::sanitize;
use serde_json::{Value, json};

use crate::cli::{ExpressionCommand, ExpressionTestArgs, JobArgs};
use crate::commands::Context;
use crate::commands::target::job_api;
use crate::exit::Failure;
use crate::limits::{SECRETS_FILE_CAP, read_file_capped};
use crate::output::{self, Report, Table, to_json};

/// Runs an `expression` subcommand.
///
/// # Errors
///
/// The command's [`Failure`]; an expression that does not parse or evaluate is
/// [`Failure::NotReached`] (exit code 1), after its report.
pub(crate) async fn run(context: &Context, command: ExpressionCommand) -> Result<(), Failure> {
    match command {
        ExpressionCommand::Test(args) => test(context, &args).await,
        ExpressionCommand::Functions(args) => functions(context, &args).await,
    }
}

/// The test object of `--object`: a JSON object of attribute values, or an
/// `expressionInputObject` (which has `properties`).
fn read_object(path: &Path) -> Result<ExpressionInputObject, Failure> {
    let bytes = read_file_capped(path, SECRETS_FILE_CAP)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Failure::Usage(format!("{} is not JSON: {e}", path.display())))?;
    let Value::Object(map) = value else {
        return Err(Failure::Usage(format!(
            "{} must hold a JSON object of attribute values, e.g. {{\"givenName\": \"Bill\"}}",
            path.display()
        )));
    };
    if map.get("properties").is_some_and(Value::is_array) {
        return serde_json::from_value(Value::Object(map)).map_err(|e| {
            Failure::Usage(format!(
                "{} is not an expressionInputObject: {e}",
                path.display()
            ))
        });
    }
    Ok(input_object(map))
}

/// An `expressionInputObject` holding these attribute values.
fn input_object(values: impl IntoIterator<Item = (String, Value)>) -> ExpressionInputObject {
    let mut object = ExpressionInputObject::default();
    object.properties = Property::Value(
        values
            .into_iter()
            .map(|(key, value)| StringKeyObjectValuePair::new(key, value))
            .collect(),
    );
    object
}

/// The source object a provisioning event carries: the attribute values its import steps
/// read (their `details`), completed by the source identity's `details`. OData annotations
/// (`@odata.type`) are not attributes. `modifiedProperties` are not used: they are the
/// values written to the target, named by target attribute, not the source object an
/// expression reads.
fn logged_values(event: &ProvisioningObjectSummary) -> BTreeMap<String, Value> {
    let imported = event
        .steps()
        .iter()
        .filter(|step| {
            step.provisioning_step_type
                .get()
                .is_some_and(|kind| kind.to_string().eq_ignore_ascii_case("import"))
        })
        .filter_map(|step| step.details.get());
    let identity = event
        .source_identity
        .get()
        .and_then(|identity| identity.details.get());
    let mut values = BTreeMap::new();
    for details in imported.chain(identity) {
        for (name, value) in &details.extra {
            if !name.starts_with('@') && !name.contains("@odata.") {
                values.entry(name.clone()).or_insert_with(|| value.clone());
            }
        }
    }
    values
}

/// The test object of `--from-logs ID`, and the line that says where it came from.
async fn logged_object(
    client: &GraphSyncClient,
    id: &str,
) -> Result<(ExpressionInputObject, String), Failure> {
    let event = client
        .provisioning_logs()
        .get(id)
        .await
        .map_err(|e| Failure::api(format!("reading provisioning event {id}"), e))?;
    let values = logged_values(&event);
    if values.is_empty() {
        return Err(Failure::Usage(format!(
            "provisioning event {} carries no source attribute values (its import step has no \
             details); give the test object with --object FILE",
            sanitize(id)
        )));
    }
    let names: Vec<&str> = values.keys().map(String::as_str).collect();
    let origin = format!(
        "Object      event {}: {}",
        sanitize(id),
        sanitize(&names.join(", "))
    );
    Ok((input_object(values), origin))
}

async fn test(context: &Context, args: &ExpressionTestArgs) -> Result<(), Failure> {
    let mut request = ParseExpressionRequest::new(args.expression.clone());
    if let Some(path) = &args.object {
        request = request.test_input_object(read_object(path)?);
    }
    let client = context.client()?;
    let mut origin = None;
    if let Some(id) = &args.from_logs {
        let (object, line) = logged_object(&client, id).await?;
        request = request.test_input_object(object);
        origin = Some(line);
    }
    let evaluated = args.object.is_some() || origin.is_some();
    let response = job_api(&client, &args.target)
        .await?
        .schema()
        .parse_expression(&request)
        .await
        .map_err(|e| Failure::api("parsing the expression", e))?;
    let (mut text, failure) = describe(&args.expression, &response, evaluated);
    if let Some(origin) = origin {
        // After the expression's line.
        let at = text.find('\n').unwrap_or(text.len());
        text.insert_str(at, &format!("\n{origin}"));
    }
    context.print(&Report {
        text,
        json: to_json(&response),
        tsv: None,
    });
    failure.map_or(Ok(()), |message| Err(Failure::NotReached(message)))
}

/// The report of a parseExpression answer, and the failure when it did not parse or
/// evaluate.
fn describe(
    expression: &str,
    response: &ParseExpressionResponse,
    evaluated: bool,
) -> (String, Option<String>) {
    let mut lines = vec![format!("Expression  {}", sanitize(expression))];
    let message = response
        .error
        .get()
        .map(|error| {
            let code = error.code.as_deref().unwrap_or("error");
            let message = error.message.as_deref().unwrap_or("(no message)");
            sanitize(&format!("{code}: {message}")).into_owned()
        })
        .unwrap_or_default();
    if response.parsing_succeeded.get() != Some(&true) {
        lines.push(format!("Parsing     failed: {message}"));
        if let Some(column) = position(&message, expression) {
            lines.push(format!("            {}", sanitize(expression)));
            lines.push(format!("            {}^", " ".repeat(column)));
        }
        return (
            lines.join("\n"),
            Some("the expression did not parse".to_owned()),
        );
    }
    if let Some(parsed) = response.parsed_expression.get() {
        lines.push(format!("Parsed      {}", sanitize(&tree(parsed))));
    }
    if !evaluated {
        lines.push("Result      (not evaluated: no --object)".to_owned());
        return (lines.join("\n"), None);
    }
    if response.evaluation_succeeded.get() == Some(&true) {
        let values: Vec<String> = response
            .evaluation_result
            .iter()
            .flatten()
            .map(|v| sanitize(v).into_owned())
            .collect();
        lines.push(format!("Result      {}", values.join("\n            ")));
        (lines.join("\n"), None)
    } else {
        lines.push(format!("Evaluation  failed: {message}"));
        (
            lines.join("\n"),
            Some("the expression did not evaluate on the test object".to_owned()),
        )
    }
}

/// The column (in characters) of the position a parse error names (`… at position N`, a
/// byte offset into the expression), if it names one inside it.
fn position(message: &str, expression: &str) -> Option<usize> {
    let (_, after) = message.rsplit_once("position ")?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    let byte: usize = digits.parse().ok()?;
    let before = expression.get(..byte.min(expression.len()))?;
    Some(before.chars().count())
}

/// A parsed expression as a tree: `Join(separator: " ", source: [givenName])`.
fn tree(source: &AttributeMappingSource) -> String {
    let name = source.name.as_deref().unwrap_or_default();
    match source.r#type.get() {
        Some(AttributeMappingSourceType::Attribute) => format!("[{name}]"),
        Some(AttributeMappingSourceType::Constant) => format!("{name:?}"),
        _ => {
            let arguments: Vec<String> = source
                .parameters
                .iter()
                .flatten()
                .map(|pair| {
                    let value = pair.value.get().map_or_else(|| "null".to_owned(), tree);
                    format!("{}: {value}", pair.key.as_deref().unwrap_or("?"))
                })
                .collect();
            format!("{name}({})", arguments.join(", "))
        }
    }
}

async fn functions(context: &Context, args: &JobArgs) -> Result<(), Failure> {
    let client = context.client()?;
    let functions = job_api(&client, &args.target)
        .await?
        .schema()
        .functions()
        .await
        .map_err(|e| Failure::api("listing the mapping functions", e))?;
    let mut table = Table::new(&["FUNCTION", "PARAMETERS"]);
    for function in &functions {
        table.row([function_name(function), parameters(function)]);
    }
    let json = json!({ "functions": functions.iter().map(to_json).collect::<Vec<_>>() });
    context.print(&Report {
        text: table.render(),
        tsv: output::items_tsv(&json, "functions"),
        json,
    });
    Ok(())
}

/// A function's name: its `id`, or the `name` the documentation's examples carry.
fn function_name(function: &AttributeMappingFunctionSchema) -> String {
    function
        .id
        .get()
        .cloned()
        .or_else(|| {
            function
                .extra
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// `source, [culture]`, `separator, source…`: optional in brackets, repeating with `…`.
fn parameters(function: &AttributeMappingFunctionSchema) -> String {
    let texts: Vec<String> = function
        .parameters
        .iter()
        .flatten()
        .map(|parameter| {
            let mut text = parameter.name.as_deref().unwrap_or("?").to_owned();
            if parameter.allow_multiple_occurrences.get() == Some(&true) {
                text.push('…');
            }
            if parameter.required.get() == Some(&true) {
                text
            } else {
                format!("[{text}]")
            }
        })
        .collect();
    texts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parse_error_is_underlined_at_its_position() {
        let response: ParseExpressionResponse = serde_json::from_value(json!({
            "parsingSucceeded": false, "evaluationSucceeded": false,
            "error": {"code": "ExpressionParsingFailed",
                      "message": "',' or ')' expected at position 13"}
        }))
        .unwrap();
        let (text, failure) = describe("Append(\"é\", [x]", &response, false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], "            Append(\"é\", [x]");
        assert_eq!(lines[3], "                        ^", "{text}");
        assert!(failure.is_some());
        assert_eq!(position("no position here", "x"), None);
        assert_eq!(position("at position 99", "abc"), Some(3));
    }

    #[test]
    fn the_logged_source_object_is_what_the_import_step_read() {
        let event: ProvisioningObjectSummary = serde_json::from_value(json!({
            "id": "e1",
            "provisioningSteps": [
                {"provisioningStepType": "Import", "details": {
                    "@odata.type": "#microsoft.graph.detailsInfo",
                    "givenName": "Megan", "proxyAddresses": ["smtp:a@x", "smtp:b@x"]}},
                {"provisioningStepType": "export", "details": {"ReportableIdentifier": "m"}}
            ],
            "sourceIdentity": {"id": "u1", "details": {"givenName": "ignored", "objectId": "u1"}},
            "modifiedProperties": [{"displayName": "externalId", "newValue": "m"}]
        }))
        .unwrap();
        assert_eq!(
            logged_values(&event),
            BTreeMap::from([
                ("givenName".to_owned(), json!("Megan")),
                ("objectId".to_owned(), json!("u1")),
                ("proxyAddresses".to_owned(), json!(["smtp:a@x", "smtp:b@x"])),
            ])
        );
        let bare: ProvisioningObjectSummary =
            serde_json::from_value(json!({"id": "e2", "provisioningSteps": null})).unwrap();
        assert!(logged_values(&bare).is_empty());
    }
}
