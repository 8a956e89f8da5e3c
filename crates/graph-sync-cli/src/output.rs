//! How results are printed: an aligned table for people, or one JSON document for scripts
//! (`--output json`).
//!
//! A command builds a [`Report`] (text, usually a [`Table`], and the equivalent JSON value) and hands it to
//! [`print()`]; it never chooses the format itself. Results go to stdout; progress, warnings and
//! errors go to stderr, so `--output json` can be piped into `jq`.

use std::io::Write as _;

use clap::ValueEnum;
use serde_json::Value;

/// The `--output` format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned columns (or short sentences), for people.
    #[default]
    Table,
    /// One JSON document on stdout, for scripts.
    Json,
    /// Values only, tab-separated, no header, one line per item (as `az -o tsv`).
    ///
    /// `JOB=$(graph-sync jobs create … -o tsv)` captures the new job's id.
    Tsv,
    /// JSON, one document per line: a stream (`logs`, `logs --follow`) prints one item per
    /// line as it arrives; any other result is one compact line.
    Ndjson,
}

/// A result in both forms.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    /// The text form (usually a [`Table`], rendered), printed with `--output table`.
    pub(crate) text: String,
    /// The JSON form, printed with `--output json`.
    pub(crate) json: Value,
    /// The `--output tsv` form when it is not derived from the JSON (e.g. `jobs create`
    /// prints the new job's id alone).
    pub(crate) tsv: Option<String>,
}

/// Rows of text under column headers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column headers.
    pub(crate) fn new(headers: &[&'static str]) -> Self {
        Self {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (missing cells print empty, extra cells are ignored). Every cell goes
    /// through the api's [`sanitize`](graph_sync_api::redact::sanitize): cells carry
    /// service-supplied text (descriptions, quarantine messages), which must not reach a
    /// terminal with control sequences, line breaks or unbounded length.
    pub(crate) fn row(&mut self, cells: impl IntoIterator<Item = String>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|cell| graph_sync_api::redact::sanitize(&cell).into_owned())
                .collect(),
        );
    }

    /// The table as text: headers, then rows, columns padded to the widest cell.
    pub(crate) fn render(&self) -> String {
        let widths: Vec<usize> = self
            .headers
            .iter()
            .enumerate()
            .map(|(column, header)| {
                self.rows
                    .iter()
                    .filter_map(|row| row.get(column))
                    .map(|cell| cell.chars().count())
                    .chain([header.len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: Vec<&str>| {
            let mut text = String::new();
            for (column, width) in widths.iter().enumerate() {
                let cell = cells.get(column).copied().unwrap_or("");
                if column + 1 == widths.len() {
                    text.push_str(cell);
                } else {
                    text.push_str(cell);
                    text.push_str(&" ".repeat(width - cell.chars().count() + 2));
                }
            }
            text.trim_end().to_owned()
        };
        let mut lines = vec![line(self.headers.clone())];
        for row in &self.rows {
            lines.push(line(row.iter().map(String::as_str).collect()));
        }
        lines.join("\n")
    }
}

/// Any serializable value as JSON (`null` if it cannot be one, which the API's types never do).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A list of a service principal's things: the table, or `empty` when there are none, and
/// `{"servicePrincipal": …, field: [items as JSON]}`.
pub(crate) fn list_report<T: serde::Serialize>(
    sp: &impl std::fmt::Display,
    table: &Table,
    empty: String,
    field: &str,
    items: &[T],
) -> Report {
    let text = if items.is_empty() {
        empty
    } else {
        table.render()
    };
    let mut json = serde_json::Map::new();
    json.insert("servicePrincipal".to_owned(), Value::from(sp.to_string()));
    json.insert(
        field.to_owned(),
        Value::Array(items.iter().map(to_json).collect()),
    );
    let json = Value::Object(json);
    Report {
        text,
        tsv: items_tsv(&json, field),
        json,
    }
}

/// The text a report prints in `format` (without the final newline).
pub(crate) fn render(format: OutputFormat, report: &Report) -> String {
    match format {
        OutputFormat::Table => report.text.clone(),
        OutputFormat::Json => {
            serde_json::to_string_pretty(&report.json).unwrap_or_else(|_| "null".to_owned())
        }
        OutputFormat::Tsv => report.tsv.clone().unwrap_or_else(|| tsv(&report.json)),
        OutputFormat::Ndjson => {
            serde_json::to_string(&report.json).unwrap_or_else(|_| "null".to_owned())
        }
    }
}

/// The JSON form as `az -o tsv` prints it: a list prints one line per item, anything else one
/// line; each line is the scalar values (strings, numbers, booleans; null as empty) in key
/// order, tab-separated, nested objects and lists and OData annotations (`@odata.context`)
/// left out. Tabs and line breaks inside values
/// become spaces. A report that is a list of things inside an object (`{"jobs": [...]}`) says
/// so with [`items_tsv`]; an object that merely holds a list among its facts (a template's
/// `metadata`) stays one line.
pub(crate) fn tsv(value: &Value) -> String {
    fn line(value: &Value) -> String {
        match value {
            Value::Object(members) => members
                .iter()
                .filter(|(name, _)| !name.contains('@'))
                .filter_map(|(_, member)| scalar(member))
                .collect::<Vec<_>>()
                .join("\t"),
            other => scalar(other).unwrap_or_default(),
        }
    }
    fn scalar(value: &Value) -> Option<String> {
        match value {
            Value::String(text) => Some(
                graph_sync_api::redact::sanitize(&text.replace(['\t', '\n', '\r'], " "))
                    .into_owned(),
            ),
            Value::Number(number) => Some(number.to_string()),
            Value::Bool(flag) => Some(flag.to_string()),
            Value::Null => Some(String::new()),
            Value::Array(_) | Value::Object(_) => None,
        }
    }
    match value {
        Value::Array(items) => items.iter().map(line).collect::<Vec<_>>().join("\n"),
        _ => line(value),
    }
}

/// The `--output tsv` form of a report that lists things: one line per item of the member
/// `field` of `json` (as [`tsv`] prints a list).
pub(crate) fn items_tsv(json: &Value, field: &str) -> Option<String> {
    Some(tsv(json.get(field).unwrap_or(&Value::Null)))
}

/// Prints a report on stdout.
pub(crate) fn print(format: OutputFormat, report: &Report) {
    println!("{}", render(format, report));
}

/// Writes `text` on stdout and flushes it. Every byte graph-sync prints on stdout goes through
/// here (the crate's `println!` included): a closed stdout, a reader that stopped early as in
/// `graph-sync templates list | head -1`, ends the process quietly with exit code 0, as git
/// and ripgrep do; any other write error ends it with exit code 1 and a message on stderr.
pub(crate) fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let result = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(error) = result {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {error}");
        std::process::exit(1);
    }
}

/// `println!` through [`write_stdout`].
pub(crate) fn stdout_line(args: std::fmt::Arguments<'_>) {
    let mut text = args.to_string();
    text.push('\n');
    write_stdout(&text);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tables_align_their_columns() {
        let mut table = Table::new(&["KEY", "STATE"]);
        table.row(["BaseAddress".to_owned(), "masked".to_owned()]);
        table.row(["SyncAll".to_owned(), "masked".to_owned()]);
        assert_eq!(
            table.render(),
            "KEY          STATE\nBaseAddress  masked\nSyncAll      masked"
        );
    }

    #[test]
    fn cells_lose_control_sequences_and_are_capped() {
        let mut table = Table::new(&["A"]);
        table.row([format!(
            "ok\u{1b}[2J\u{1b}]0;title\u{7}\r\nnext{}",
            "x".repeat(10_000)
        )]);
        let text = table.render();
        assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
        assert!(text.contains("bytes more)"), "capped: {}", text.len());
        assert!(text.len() < 5_000);
    }

    #[test]
    fn tsv_prints_values_only() {
        let list = json!({"servicePrincipal": "sp", "jobs": [
            {"id": "a", "templateId": "scim", "status": {"x": 1}},
            {"id": "b", "templateId": "scim\tx", "status": null},
        ]});
        assert_eq!(items_tsv(&list, "jobs").unwrap(), "a\tscim\nb\t\tscim x");
        // An object that holds a list among its facts is one line.
        assert_eq!(tsv(&list), "sp");
        assert_eq!(tsv(&json!({"job": "j", "action": "started"})), "started\tj");
        assert_eq!(tsv(&json!({"@odata.context": "u", "id": "j"})), "j");
        let report = Report {
            text: String::new(),
            json: json!({"id": "scim.1", "templateId": "scim"}),
            tsv: Some("scim.1".to_owned()),
        };
        assert_eq!(render(OutputFormat::Tsv, &report), "scim.1");
    }

    #[test]
    fn json_output_is_the_json_form() {
        let report = Report {
            text: Table::new(&["A"]).render(),
            json: json!({"a": 1}),
            tsv: None,
        };
        assert_eq!(render(OutputFormat::Json, &report), "{\n  \"a\": 1\n}");
        assert_eq!(render(OutputFormat::Table, &report), "A");
    }
}
