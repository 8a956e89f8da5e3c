//! Issue 12 item 4: docs/cli-output.md is the contract of `-o json` and `-o tsv`. This test
//! reads the document (its field tables are the only list of fields), runs every command of
//! the real binary against the emulator, and checks each output against its section: every
//! documented required field present with a documented JSON type, no undocumented field, the
//! TSV columns as documented, every command of `graph-sync --help` documented, and every
//! section of the document exercised here. A drift either way fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use graph_sync_emulator::SourceObject;
use serde_json::Value;

use crate::support::{CANARY, Output, Run, TARGET_URL, World};

/// The rule id of the emulator's `scim` template schema.
const RULE: &str = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";

/// A JSON type a field may have (the document's type column).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Type {
    String,
    Integer,
    Number,
    Boolean,
    Null,
    /// An object whose members are the documented `PATH.member` rows, and no others.
    Object,
    /// An array whose items are the documented `PATH[]` row.
    Array,
    /// Any JSON value; its contents are not described here.
    Any,
    /// A Graph resource as the API returns it: an object whose members are Graph's.
    Graph(String),
}

impl Type {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(match text.trim() {
            "string" => Self::String,
            "integer" => Self::Integer,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            "null" => Self::Null,
            "object" => Self::Object,
            "array" => Self::Array,
            "any" => Self::Any,
            other => match other.strip_prefix("Graph ") {
                Some(name) if !name.trim().is_empty() => Self::Graph(name.trim().to_owned()),
                _ => return Err(format!("unknown type {other:?}")),
            },
        })
    }

    fn accepts(&self, value: &Value) -> bool {
        match self {
            Self::String => value.is_string(),
            Self::Integer => value.is_i64() || value.is_u64(),
            Self::Number => value.is_number(),
            Self::Boolean => value.is_boolean(),
            Self::Null => value.is_null(),
            Self::Object | Self::Graph(_) => value.is_object(),
            Self::Array => value.is_array(),
            Self::Any => true,
        }
    }
}

/// One row of a field table.
#[derive(Debug)]
struct Field {
    types: Vec<Type>,
    required: bool,
}

/// One `### `command`` section of the document.
#[derive(Debug, Default)]
struct Section {
    /// The commands (and variants, e.g. `schema get --out FILE`) it describes.
    names: Vec<String>,
    fields: BTreeMap<String, Field>,
    /// The `TSV:` columns, as field paths.
    tsv: Option<Vec<String>>,
    /// `TSV: the JSON document`: `-o tsv` prints what `-o json` prints.
    tsv_is_json: bool,
    /// Whether the output is a stream of documents (one per request, or JSON lines).
    stream: bool,
}

/// The document, parsed.
#[derive(Debug, Default)]
struct Doc {
    sections: Vec<Section>,
    /// Commands listed under "Commands without a JSON result".
    without_json: BTreeSet<String>,
}

/// The code spans of a line: `a` and `b c` in "x `a`, `b c`".
fn code_spans(line: &str) -> Vec<String> {
    line.split('`')
        .skip(1)
        .step_by(2)
        .map(|span| span.trim().to_owned())
        .collect()
}

/// `graph-sync jobs list` → `jobs list`.
fn command_key(span: &str) -> String {
    span.strip_prefix("graph-sync ").unwrap_or(span).to_owned()
}

fn parse_doc(text: &str) -> Doc {
    let mut doc = Doc::default();
    let mut in_fence = false;
    let mut in_without = false;
    let mut section: Option<Section> = None;
    for (number, line) in text.lines().enumerate() {
        let at = |message: String| format!("docs/cli-output.md:{}: {message}", number + 1);
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(heading) = line.strip_prefix("## ") {
            doc.sections.extend(section.take());
            in_without = heading.contains("without a JSON result");
            continue;
        }
        if let Some(heading) = line.strip_prefix("### ") {
            doc.sections.extend(section.take());
            let names: Vec<String> = code_spans(heading)
                .iter()
                .map(|span| command_key(span))
                .collect();
            assert!(
                !names.is_empty(),
                "{}",
                at("a section names no command".into())
            );
            section = Some(Section {
                names,
                ..Section::default()
            });
            continue;
        }
        if in_without && line.starts_with("- ") {
            // The command is the bullet's first code span.
            doc.without_json
                .extend(code_spans(line).first().map(|span| command_key(span)));
            continue;
        }
        let Some(current) = section.as_mut() else {
            continue;
        };
        if let Some((_, columns)) = line
            .starts_with("TSV")
            .then(|| line.split_once(':'))
            .flatten()
        {
            current.tsv_is_json = columns.trim() == "the JSON document";
            current.tsv = Some(code_spans(columns));
        } else if line.starts_with("Stream:") {
            current.stream = true;
        } else if line.starts_with('|') {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
            let [path, types, required, _meaning] = cells.as_slice() else {
                panic!("{}", at(format!("a table row needs 4 cells: {line}")));
            };
            let path = path.trim().trim_matches('`');
            if path == "field" || path.starts_with('-') {
                continue;
            }
            let types = types
                .split(" or ")
                .map(Type::parse)
                .collect::<Result<Vec<_>, _>>()
                .unwrap_or_else(|e| panic!("{}", at(e)));
            let required = match required.trim() {
                "yes" => true,
                "no" => false,
                other => panic!("{}", at(format!("required is yes or no, not {other:?}"))),
            };
            let previous = current
                .fields
                .insert(path.to_owned(), Field { types, required });
            assert!(previous.is_none(), "{}", at(format!("{path} twice")));
        }
    }
    doc.sections.extend(section);
    doc
}

fn child(path: &str, member: &str) -> String {
    if path == "." {
        member.to_owned()
    } else {
        format!("{path}.{member}")
    }
}

fn items(path: &str) -> String {
    if path == "." {
        "[]".to_owned()
    } else {
        format!("{path}[]")
    }
}

/// Checks `value` at `path` against the section; pushes what is wrong.
fn walk(section: &Section, path: &str, value: &Value, errors: &mut Vec<String>) {
    let Some(field) = section.fields.get(path) else {
        errors.push(format!("`{path}` is not documented (value {value})"));
        return;
    };
    let Some(ty) = field.types.iter().find(|ty| ty.accepts(value)) else {
        errors.push(format!(
            "`{path}` is {value}, documented as {:?}",
            field.types
        ));
        return;
    };
    match (ty, value) {
        (Type::Object, Value::Object(members)) => {
            for (name, member) in members {
                walk(section, &child(path, name), member, errors);
            }
            let prefix = child(path, "");
            for (documented, field) in &section.fields {
                let Some(name) = documented.strip_prefix(&prefix) else {
                    continue;
                };
                let direct = !name.is_empty() && !name.contains(['.', '[']);
                if direct && field.required && !members.contains_key(name) {
                    errors.push(format!("required `{documented}` is missing"));
                }
            }
        }
        (Type::Array, Value::Array(list)) => {
            for item in list {
                walk(section, &items(path), item, errors);
            }
        }
        _ => {}
    }
}

/// A TSV cell as `-o tsv` prints a scalar.
fn cell(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.replace(['\t', '\n', '\r'], " "),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        _ => String::new(),
    }
}

/// The value at a dotted path below `value` (no `[]`).
fn at_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(value, |value, member| value.get(member))
}

/// The TSV the section's columns give for this JSON output.
fn expected_tsv(columns: &[String], json: &Value) -> String {
    let list = columns
        .first()
        .and_then(|column| column.split_once("[]."))
        .map(|(list, _)| list.to_owned());
    let line = |value: &Value, strip: &str| {
        columns
            .iter()
            .map(|column| cell(at_path(value, column.strip_prefix(strip).unwrap_or(column))))
            .collect::<Vec<_>>()
            .join("\t")
    };
    match list {
        Some(list) => {
            let prefix = format!("{list}[].");
            let items = if list.is_empty() {
                json.as_array()
            } else {
                at_path(json, &list).and_then(Value::as_array)
            };
            items
                .into_iter()
                .flatten()
                .map(|item| line(item, &prefix))
                .collect::<Vec<_>>()
                .join("\n")
        }
        None => line(json, ""),
    }
}

/// What the test has checked, and the document.
struct Checker {
    doc: Doc,
    checked: BTreeSet<String>,
}

impl Checker {
    fn load() -> Self {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli-output.md");
        let text = std::fs::read_to_string(&path).expect("docs/cli-output.md exists");
        Self {
            doc: parse_doc(&text),
            checked: BTreeSet::new(),
        }
    }

    fn section(&self, name: &str) -> &Section {
        self.doc
            .sections
            .iter()
            .find(|section| section.names.iter().any(|n| n == name))
            .unwrap_or_else(|| panic!("docs/cli-output.md has no section for `{name}`"))
    }

    /// Checks a `-o json` output against the section `name`; returns the (first) document.
    #[track_caller]
    fn json(&mut self, name: &str, output: &Output) -> Value {
        output.expect_code(0);
        let section = self.section(name);
        let documents: Vec<Value> = serde_json::Deserializer::from_str(&output.stdout)
            .into_iter::<Value>()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("`{name}` printed no JSON ({e}): {output:#?}"));
        assert!(
            !documents.is_empty(),
            "`{name}` printed nothing: {output:#?}"
        );
        assert!(
            section.stream || documents.len() == 1,
            "`{name}` printed {} documents; the section does not say Stream: {output:#?}",
            documents.len()
        );
        let mut errors = Vec::new();
        for document in &documents {
            walk(section, ".", document, &mut errors);
        }
        assert!(
            errors.is_empty(),
            "`{name}` differs from docs/cli-output.md:\n  {}\noutput: {}",
            errors.join("\n  "),
            output.stdout
        );
        self.checked.insert(name.to_owned());
        documents.into_iter().next().unwrap_or(Value::Null)
    }

    /// Checks the JSON error document on the last line of stderr against the section `name`.
    #[track_caller]
    fn error(&mut self, name: &str, output: &Output, code: i32) -> Value {
        output.expect_code(code);
        let section = self.section(name);
        let last = output.stderr.lines().last().unwrap_or_default();
        let document: Value = serde_json::from_str(last).unwrap_or_else(|e| {
            panic!("`{name}`: stderr does not end with JSON ({e}): {output:#?}")
        });
        let mut errors = Vec::new();
        walk(section, ".", &document, &mut errors);
        assert!(
            errors.is_empty(),
            "`{name}` differs from docs/cli-output.md:\n  {}\nstderr: {}",
            errors.join("\n  "),
            output.stderr
        );
        assert_eq!(document["error"]["exitCode"], code, "{document}");
        self.checked.insert(name.to_owned());
        document
    }

    /// Checks a `-o tsv` output against the section's `TSV:` columns and the JSON of the same
    /// state.
    #[track_caller]
    fn tsv(&self, name: &str, json: &Value, output: &Output) {
        output.expect_code(0);
        if self.section(name).tsv_is_json {
            let printed: Value = serde_json::from_str(&output.stdout)
                .unwrap_or_else(|e| panic!("`{name} -o tsv` is not the JSON document ({e})"));
            assert_eq!(&printed, json, "`{name} -o tsv` is not the JSON document");
            return;
        }
        let columns = self
            .section(name)
            .tsv
            .as_ref()
            .unwrap_or_else(|| panic!("the section of `{name}` has no TSV: line"));
        assert_eq!(
            output.stdout.trim_end_matches('\n'),
            expected_tsv(columns, json),
            "`{name} -o tsv` differs from the documented columns {columns:?}"
        );
    }

    /// Every command of `graph-sync --help` is documented, and every section was checked.
    fn finish(&self, commands: &BTreeSet<String>) {
        let documented: BTreeSet<String> = self
            .doc
            .sections
            .iter()
            .flat_map(|section| section.names.iter())
            .map(|name| path_of(name))
            .chain(self.doc.without_json.iter().cloned())
            .collect();
        let missing: Vec<&String> = commands.difference(&documented).collect();
        assert!(missing.is_empty(), "not in docs/cli-output.md: {missing:?}");
        let unknown: Vec<&String> = documented.difference(commands).collect();
        assert!(
            unknown.is_empty(),
            "docs/cli-output.md documents commands graph-sync does not have: {unknown:?}"
        );
        let unchecked: Vec<&String> = self
            .doc
            .sections
            .iter()
            .flat_map(|section| section.names.iter())
            .filter(|name| !self.checked.contains(*name))
            .collect();
        assert!(
            unchecked.is_empty(),
            "sections of docs/cli-output.md this test never checked: {unchecked:?}"
        );
        let tsv_unchecked: Vec<&String> = self
            .doc
            .sections
            .iter()
            .filter(|section| section.tsv.is_none() && !section.stream)
            .flat_map(|section| section.names.iter())
            .collect();
        assert!(
            tsv_unchecked.is_empty(),
            "sections without a TSV: line: {tsv_unchecked:?}"
        );
    }
}

/// `schema get --out FILE` → `schema get`; `--dry-run` → `--dry-run`.
fn path_of(name: &str) -> String {
    if name.starts_with('-') {
        return name.to_owned();
    }
    name.split_whitespace()
        .take_while(|word| !word.starts_with('-'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The commands `graph-sync --help` lists, recursively (`help` left out); a command with
/// subcommands counts too when it also runs alone (`Usage: graph-sync logs [OPTIONS]`).
pub(crate) async fn commands() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![String::new()];
    while let Some(parent) = pending.pop() {
        let mut args: Vec<&str> = parent.split_whitespace().collect();
        args.push("--help");
        let help = Run::new().args(&args).run().await;
        help.expect_code(0);
        let mut subcommands = Vec::new();
        let mut in_commands = false;
        for line in help.stdout.lines() {
            if line == "Commands:" {
                in_commands = true;
            } else if in_commands && line.starts_with("  ") {
                let word = line.split_whitespace().next().unwrap_or_default();
                if line.starts_with("  ") && !line.starts_with("   ") && word != "help" {
                    subcommands.push(word.to_owned());
                }
            } else if in_commands && !line.starts_with(' ') {
                in_commands = false;
            }
        }
        // The usage lines: `Usage: graph-sync logs [OPTIONS]` and the forms below it.
        let runs_alone = help
            .stdout
            .lines()
            .skip_while(|line| !line.starts_with("Usage:"))
            .take_while(|line| !line.trim().is_empty())
            .any(|line| !line.contains("<COMMAND>"));
        if !parent.is_empty() && (subcommands.is_empty() || runs_alone) {
            found.insert(parent.clone());
        }
        for sub in subcommands {
            pending.push(format!("{parent} {sub}").trim().to_owned());
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_prints_the_documented_json_and_tsv() {
    let mut check = Checker::load();
    let world = World::provisioning().await;
    world.running.emulator().assign(
        &world.sp.id,
        SourceObject::user("u-alex")
            .with("displayName", "Alex Wilber")
            .with("userPrincipalName", "alex@contoso.com"),
    );
    let sp = world.sp_id();
    let dir = world.dir.path().to_str().unwrap().to_owned();
    let secrets = world.dir.private(
        "secrets.toml",
        &format!("BaseAddress = \"{TARGET_URL}\"\nSecretToken = {{ env = \"SCIM_TOKEN\" }}\n"),
    );
    let secrets = secrets.to_str().unwrap();
    let run = |args: &[&str], format: &str| {
        world
            .graph_sync()
            .env("SCIM_TOKEN", CANARY)
            .args(args)
            .args(&["-o", format])
            .run()
    };

    // Templates.
    let out = run(&["templates", "list", "--sp", &sp], "json").await;
    let json = check.json("templates list", &out);
    check.tsv(
        "templates list",
        &json,
        &run(&["templates", "list", "--sp", &sp], "tsv").await,
    );
    let args = ["templates", "show", "--sp", &sp, "--template", "scim"];
    let json = check.json("templates show", &run(&args, "json").await);
    check.tsv("templates show", &json, &run(&args, "tsv").await);

    // Jobs: create (and its TSV, the id alone, through --allow-duplicate), list, show.
    let args = ["jobs", "create", "--sp", &sp, "--template", "scim"];
    let json = check.json("jobs create", &run(&args, "json").await);
    let job = json["id"].as_str().unwrap().to_owned();
    let second = run(&[&args[..], &["--allow-duplicate"]].concat(), "tsv").await;
    let second_json = serde_json::json!({ "id": second.stdout.trim() });
    check.tsv("jobs create", &second_json, &second);
    for (name, args) in [
        ("jobs list", vec!["jobs", "list", "--sp", &sp]),
        (
            "jobs show",
            vec!["jobs", "show", "--sp", &sp, "--job", &job],
        ),
        (
            "jobs status",
            vec!["jobs", "status", "--sp", &sp, "--job", &job],
        ),
    ] {
        let json = check.json(name, &run(&args, "json").await);
        check.tsv(name, &json, &run(&args, "tsv").await);
    }
    let second_job = second.stdout.trim().to_owned();
    let args = ["jobs", "delete", "--sp", &sp, "--job", &second_job, "--yes"];
    let json = check.json("jobs delete", &run(&args, "json").await);
    let again = [
        "jobs",
        "delete",
        "--sp",
        &sp,
        "--job",
        &job,
        "--yes",
        "--dry-run",
    ];
    let dry = check.json("--dry-run", &run(&again, "json").await);
    assert_eq!(dry["method"], "DELETE");
    let _ = json;

    // Secrets and credentials.
    let args = ["secrets", "set", "--sp", &sp, "--from", secrets];
    let json = check.json("secrets set", &run(&args, "json").await);
    check.tsv("secrets set", &json, &run(&args, "tsv").await);
    let args = ["secrets", "show", "--sp", &sp];
    let json = check.json("secrets show", &run(&args, "json").await);
    check.tsv("secrets show", &json, &run(&args, "tsv").await);
    let args = ["secrets", "clear", "--sp", &sp, "--yes", "SyncAll"];
    let json = check.json("secrets clear", &run(&args, "json").await);
    check.tsv("secrets clear", &json, &run(&args, "tsv").await);
    let args = [
        "credentials",
        "validate",
        "--sp",
        &sp,
        "--job",
        &job,
        "--from",
        secrets,
    ];
    let json = check.json("credentials validate", &run(&args, "json").await);
    check.tsv("credentials validate", &json, &run(&args, "tsv").await);

    // Job actions.
    for (name, args) in [
        (
            "jobs start",
            vec!["jobs", "start", "--sp", &sp, "--job", &job],
        ),
        (
            "jobs pause",
            vec!["jobs", "pause", "--sp", &sp, "--job", &job],
        ),
        (
            "jobs restart",
            vec![
                "jobs",
                "restart",
                "--sp",
                &sp,
                "--job",
                &job,
                "--scope",
                "Watermark",
            ],
        ),
    ] {
        let json = check.json(name, &run(&args, "json").await);
        check.tsv(name, &json, &run(&args, "tsv").await);
    }
    let start = ["jobs", "start", "--sp", &sp, "--job", &job];
    check.json("jobs start", &run(&start, "json").await);
    let watch = [
        "jobs", "status", "--sp", &sp, "--job", &job, "--watch", "--until", "active",
    ];
    check.json("jobs status --watch", &run(&watch, "json").await);

    // Schema.
    let file = format!("{dir}/schema.json");
    let args = ["schema", "get", "--sp", &sp, "--job", &job];
    let json = check.json("schema get", &run(&args, "json").await);
    check.tsv("schema get", &json, &run(&args, "tsv").await);
    let args = ["schema", "get", "--sp", &sp, "--job", &job, "--out", &file];
    let json = check.json("schema get --out FILE", &run(&args, "json").await);
    check.tsv("schema get --out FILE", &json, &run(&args, "tsv").await);
    let edited = format!("{dir}/edited.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &edited,
        text.replace("[displayName]", "Trim([displayName])"),
    )
    .unwrap();
    let live = format!("{sp}:{job}");
    let args = ["schema", "diff", &live, &edited];
    let json = check.json("schema diff", &run(&args, "json").await);
    assert!(!json["changes"].as_array().unwrap().is_empty(), "{json}");
    check.tsv("schema diff", &json, &run(&args, "tsv").await);
    let args = [
        "schema", "apply", "--sp", &sp, "--job", &job, "--from", &edited, "--yes",
    ];
    let json = check.json("schema apply", &run(&args, "json").await);
    assert_eq!(json["applied"], true, "{json}");
    // Run again: nothing left to apply, the state the TSV run below sees.
    let json = check.json("schema apply", &run(&args, "json").await);
    check.tsv("schema apply", &json, &run(&args, "tsv").await);
    let args = [
        "schema", "put", "--sp", &sp, "--job", &job, "--from", &file, "--yes",
    ];
    let json = check.json("schema put", &run(&args, "json").await);
    check.tsv("schema put", &json, &run(&args, "tsv").await);
    let export = format!("{dir}/export.json");
    let args = [
        "schema", "export", "--sp", &sp, "--job", &job, "--out", &export,
    ];
    let json = check.json("schema export", &run(&args, "json").await);
    check.tsv("schema export", &json, &run(&args, "tsv").await);
    let args = [
        "schema", "import", "--sp", &sp, "--job", &job, "--from", &export, "--yes",
    ];
    let json = check.json("schema import", &run(&args, "json").await);
    check.tsv("schema import", &json, &run(&args, "tsv").await);

    // Expressions.
    let object = world
        .dir
        .shared("user.json", r#"{"displayName": " Alex "}"#);
    let args = [
        "expression",
        "test",
        "Coalesce([mailNickname], [displayName])",
        "--sp",
        &sp,
        "--job",
        &job,
        "--object",
        object.to_str().unwrap(),
    ];
    let json = check.json("expression test", &run(&args, "json").await);
    check.tsv("expression test", &json, &run(&args, "tsv").await);
    let args = ["expression", "functions", "--sp", &sp, "--job", &job];
    let json = check.json("expression functions", &run(&args, "json").await);
    check.tsv("expression functions", &json, &run(&args, "tsv").await);

    // Provision on demand, then the logs it left.
    let args = [
        "provision-on-demand",
        "--sp",
        &sp,
        "--job",
        &job,
        "--rule",
        RULE,
        "--subject",
        "u-alex",
    ];
    let json = check.json("provision-on-demand", &run(&args, "json").await);
    check.tsv("provision-on-demand", &json, &run(&args, "tsv").await);
    let args = ["logs", "--job", &job];
    let json = check.json("logs", &run(&args, "json").await);
    assert!(!json.as_array().unwrap().is_empty(), "no events: {json}");
    check.tsv("logs", &json, &run(&args, "tsv").await);
    let id = json[0]["id"].as_str().unwrap().to_owned();
    let args = ["logs", "show", &id];
    let json = check.json("logs show", &run(&args, "json").await);
    check.tsv("logs show", &json, &run(&args, "tsv").await);
    let args = ["logs", "summary", "--job", &job];
    let json = check.json("logs summary", &run(&args, "json").await);
    check.tsv("logs summary", &json, &run(&args, "tsv").await);

    // Provision (a finished setup, then its dry run) and bulk.
    let manifest = world.dir.private(
        "app.toml",
        &format!(
            "service_principal = \"{sp}\"\ntemplate = \"scim\"\n[secrets]\n\
             BaseAddress = \"{TARGET_URL}\"\nSecretToken = {{ env = \"SCIM_TOKEN\" }}\n"
        ),
    );
    let args = ["provision", "--manifest", manifest.to_str().unwrap()];
    let json = check.json("provision", &run(&args, "json").await);
    check.tsv("provision", &json, &run(&args, "tsv").await);
    let dry = [&args[..], &["--dry-run"]].concat();
    check.json("provision --dry-run", &run(&dry, "json").await);
    let csv = world.dir.private(
        "apps.csv",
        &format!("sp,BaseAddress,SecretToken\n{sp},{TARGET_URL},env:SCIM_TOKEN\n"),
    );
    let args = ["bulk", "secrets", "--csv", csv.to_str().unwrap()];
    let json = check.json("bulk secrets", &run(&args, "json").await);
    assert_eq!(json["saved"], 1, "{json}");
    // Run again: the journal says it is done, the state the TSV run below sees.
    let json = check.json("bulk secrets", &run(&args, "json").await);
    assert_eq!(json["skipped"], 1, "{json}");
    check.tsv("bulk secrets", &json, &run(&args, "tsv").await);

    // Errors: a service error (Graph's 404) and an input error, each with its exit code.
    let args = ["jobs", "show", "--sp", &sp, "--job", "scim.0000"];
    let service = check.error("COMMAND", &run(&args, "json").await, 1);
    assert_eq!(service["error"]["status"], 404, "{service}");
    let args = [
        "secrets",
        "set",
        "--sp",
        &sp,
        "--from",
        "/nonexistent/secrets.toml",
    ];
    let input = check.error("COMMAND", &run(&args, "json").await, 2);
    assert!(input["error"].get("status").is_none(), "{input}");

    // `--dry-run` and the error document have sections of their own.
    let mut commands = commands().await;
    commands.insert("--dry-run".to_owned());
    commands.insert("COMMAND".to_owned());
    check.finish(&commands);
}

#[test]
fn the_checker_finds_undocumented_missing_and_mistyped_fields() {
    let doc = parse_doc(
        "### `graph-sync x`\n\n| field | type | required | meaning |\n|---|---|---|---|\n\
         | `.` | object | yes | |\n| `a` | string | yes | |\n| `b` | integer or null | no | |\n\
         | `l` | array | yes | |\n| `l[]` | Graph thing | yes | |\n\nTSV: `a`, `b`\n",
    );
    let section = &doc.sections[0];
    let errors = |value: Value| {
        let mut errors = Vec::new();
        walk(section, ".", &value, &mut errors);
        errors
    };
    assert!(errors(serde_json::json!({"a": "x", "b": null, "l": [{"any": 1}]})).is_empty());
    assert_eq!(errors(serde_json::json!({"b": 1, "l": []})).len(), 1);
    assert_eq!(errors(serde_json::json!({"a": 1, "l": []})).len(), 1);
    assert_eq!(
        errors(serde_json::json!({"a": "x", "l": [], "c": 1})).len(),
        1
    );
    assert_eq!(errors(serde_json::json!({"a": "x", "l": [1]})).len(), 1);
    assert_eq!(
        expected_tsv(
            section.tsv.as_ref().unwrap(),
            &serde_json::json!({"a": "x\ty", "b": 2})
        ),
        "x y\t2"
    );
}
