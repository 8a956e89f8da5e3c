//! `parseExpression`: the attribute-mapping expression language, parsed into an
//! [`AttributeMappingSource`] tree and evaluated against a test object.
//!
//! Grammar: `[attribute]`, `"constant"` (with `\"` escapes), a whole number (a constant),
//! `Function(arg, arg, …)` where an
//! argument may be left empty (`Replace([x], "-", , , "_", , )`). Functions are those of
//! [`FUNCTIONS`](super::catalog::FUNCTIONS); their positional arguments are named after the
//! function's parameters.

use std::collections::HashMap;

use graph_sync_model::Property;
use graph_sync_model::{
    AttributeMappingSource, AttributeMappingSourceType, ParseExpressionRequest,
    ParseExpressionResponse, PublicError, StringKeyAttributeMappingSourceValuePair,
};
use serde_json::Value;

use super::catalog::FUNCTIONS;

/// Parses and, with a test object, evaluates the request's expression.
pub(crate) fn parse_expression(request: &ParseExpressionRequest) -> ParseExpressionResponse {
    let mut response = ParseExpressionResponse::default();
    // Both flags are always written, as the service does.
    response.parsing_succeeded = Property::Value(false);
    response.evaluation_succeeded = Property::Value(false);
    let text = request.expression.as_deref().unwrap_or_default();
    let mut parser = Parser { text, pos: 0 };
    let parsed = parser.expression().and_then(|node| {
        parser.skip_spaces();
        if parser.pos == text.len() {
            node.ok_or_else(|| "the expression is empty".to_owned())
        } else {
            Err(format!("unexpected text at position {}", parser.pos))
        }
    });
    let source = match parsed {
        Ok(source) => source,
        Err(message) => {
            response.error = Property::Value(public_error("ExpressionParsingFailed", message));
            return response;
        }
    };
    response.parsing_succeeded = Property::Value(true);
    if let Property::Value(object) = &request.test_input_object {
        let values: HashMap<&str, Vec<String>> = object
            .properties
            .iter()
            .flatten()
            .filter_map(|p| Some((p.key.as_deref()?, texts_of(p.extra.get("value")?))))
            .collect();
        match evaluate_all(&source, &values) {
            Ok(result) => {
                response.evaluation_succeeded = Property::Value(true);
                response.evaluation_result = Property::Value(result);
            }
            Err(message) => {
                response.error =
                    Property::Value(public_error("ExpressionEvaluationFailed", message))
            }
        }
    }
    response.parsed_expression = Property::Value(source);
    response
}

fn public_error(code: &str, message: String) -> PublicError {
    let mut error = PublicError::default();
    error.code = Property::Value(code.to_owned());
    error.message = Property::Value(message);
    error
}

/// The values of a test object's property: a text, boolean or number is one value, a list
/// has one per item, `null` has none.
fn texts_of(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Bool(b) => vec![if *b { "True" } else { "False" }.to_owned()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => items.iter().flat_map(texts_of).collect(),
        _ => Vec::new(),
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn skip_spaces(&mut self) {
        while self.text[self.pos..].starts_with(' ') {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    /// One expression, or `None` for an empty argument.
    fn expression(&mut self) -> Result<Option<AttributeMappingSource>, String> {
        self.skip_spaces();
        let start = self.pos;
        let mut source = AttributeMappingSource::default();
        match self.peek() {
            None | Some(',' | ')') => return Ok(None),
            Some('[') => {
                let end = self.text[start..].find(']').ok_or_else(|| {
                    format!("an attribute opened at position {start} is not closed")
                })?;
                source.r#type = Property::Value(AttributeMappingSourceType::Attribute);
                source.name = Property::Value(self.text[start + 1..start + end].to_owned());
                self.pos = start + end + 1;
            }
            Some('"') => {
                let mut value = String::new();
                let mut chars = self.text[start + 1..].char_indices();
                let mut end = None;
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, escaped)) = chars.next() {
                                value.push(escaped);
                            }
                        }
                        '"' => {
                            end = Some(start + 1 + i + 1);
                            break;
                        }
                        c => value.push(c),
                    }
                }
                self.pos = end.ok_or_else(|| {
                    format!("a constant opened at position {start} is not closed")
                })?;
                source.r#type = Property::Value(AttributeMappingSourceType::Constant);
                source.name = Property::Value(value);
            }
            Some(c) if c.is_ascii_digit() || c == '-' => {
                // A number is a constant: `Left([x], 3)`.
                let end = self.text[start + 1..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(self.text.len(), |i| start + 1 + i);
                let number = &self.text[start..end];
                if number == "-" {
                    return Err(format!("unexpected character at position {start}"));
                }
                source.r#type = Property::Value(AttributeMappingSourceType::Constant);
                source.name = Property::Value(number.to_owned());
                self.pos = end;
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let name_end = self.text[start..]
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .map_or(self.text.len(), |i| start + i);
                let name = &self.text[start..name_end];
                let function = FUNCTIONS
                    .iter()
                    .find(|f| f.name == name)
                    .ok_or_else(|| format!("unknown function '{name}'"))?;
                self.pos = name_end;
                self.skip_spaces();
                if self.peek() != Some('(') {
                    return Err(format!(
                        "'(' expected after {name} at position {}",
                        self.pos
                    ));
                }
                self.pos += 1;
                let mut parameters = Vec::new();
                let mut index = 0;
                loop {
                    let argument = self.expression()?;
                    if let Some(argument) = argument {
                        let parameter = function
                            .parameter(index)
                            .ok_or_else(|| format!("too many arguments for {name}"))?;
                        let mut pair = StringKeyAttributeMappingSourceValuePair::default();
                        pair.key = Property::Value((*parameter).to_owned());
                        pair.value = Property::Value(argument);
                        parameters.push(pair);
                    }
                    index += 1;
                    self.skip_spaces();
                    match self.peek() {
                        Some(',') => self.pos += 1,
                        Some(')') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(format!("',' or ')' expected at position {}", self.pos)),
                    }
                }
                for (parameter, required, _) in function.parameters {
                    if *required
                        && !parameters
                            .iter()
                            .any(|p| p.key.as_deref() == Some(parameter))
                    {
                        return Err(format!("{name} needs its parameter '{parameter}'"));
                    }
                }
                source.r#type = Property::Value(AttributeMappingSourceType::Function);
                source.name = Property::Value(name.to_owned());
                source.parameters = Property::Value(parameters);
            }
            Some(_) => return Err(format!("unexpected character at position {start}")),
        }
        source.expression = Property::Value(self.text[start..self.pos].trim().to_owned());
        if !source.parameters.is_value() {
            source.parameters = Property::Value(Vec::new());
        }
        Ok(Some(source))
    }
}

/// Evaluates `source` against the single-valued attribute `values` of an object: its first
/// value.
///
/// # Errors
///
/// Why it cannot be evaluated: an attribute the object has no value for (when nothing else
/// gave a value), an argument of the wrong kind.
#[allow(
    dead_code,
    reason = "the provisioning events (issue 13 item 2) evaluate attribute mappings with it"
)]
pub(crate) fn evaluate(
    source: &AttributeMappingSource,
    values: &HashMap<&str, String>,
) -> Result<String, String> {
    let values: HashMap<&str, Vec<String>> = values
        .iter()
        .map(|(name, value)| (*name, vec![value.clone()]))
        .collect();
    evaluate_all(source, &values).map(|mut all| all.swap_remove(0))
}

/// Evaluates `source` against the attribute `values` of an object (multi-valued attributes
/// have several): the values it produces, at least one.
///
/// An attribute without a value is no value (`IsPresent` is `False`, `Coalesce` takes the
/// next source, `Join` leaves it out); an expression that ends with no value at all because
/// of a missing attribute fails, naming it (the service cannot provision an attribute from
/// nothing).
///
/// # Errors
///
/// As [`evaluate`].
pub(crate) fn evaluate_all(
    source: &AttributeMappingSource,
    values: &HashMap<&str, Vec<String>>,
) -> Result<Vec<String>, String> {
    let mut missing = Vec::new();
    let result = value_of(source, values, &mut missing)?;
    if result.is_empty() {
        return Err(missing.first().map_or_else(
            || "the expression gives no value".to_owned(),
            |name| format!("the test object has no value for '{name}'"),
        ));
    }
    Ok(result)
}

/// The values of one node; attributes without a value are noted in `missing`.
fn value_of(
    source: &AttributeMappingSource,
    values: &HashMap<&str, Vec<String>>,
    missing: &mut Vec<String>,
) -> Result<Vec<String>, String> {
    let name = source.name.as_deref().unwrap_or_default();
    match source.r#type.get() {
        Some(AttributeMappingSourceType::Attribute) => {
            let found = values.get(name).cloned().unwrap_or_default();
            if found.is_empty() {
                missing.push(name.to_owned());
            }
            Ok(found)
        }
        Some(AttributeMappingSourceType::Constant) => Ok(vec![name.to_owned()]),
        _ => {
            let mut arguments: Vec<(&str, Vec<String>)> = Vec::new();
            for pair in source.parameters.iter().flatten() {
                if let Property::Value(value) = &pair.value {
                    arguments.push((
                        pair.key.as_deref().unwrap_or_default(),
                        value_of(value, values, missing)?,
                    ));
                }
            }
            call(name, &Arguments(arguments))
        }
    }
}

/// A function's evaluated arguments, by parameter name, in order.
struct Arguments<'a>(Vec<(&'a str, Vec<String>)>);

impl Arguments<'_> {
    /// The first value of parameter `key`, if it has one.
    fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .filter(|(k, _)| *k == key)
            .flat_map(|(_, v)| v.iter().map(String::as_str))
            .next()
    }

    /// The first value of `key`, or `""`.
    fn text(&self, key: &str) -> &str {
        self.one(key).unwrap_or_default()
    }

    /// Every value of every occurrence of `key`.
    fn all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.0
            .iter()
            .filter(move |(k, _)| *k == key)
            .flat_map(|(_, v)| v.iter().map(String::as_str))
    }

    /// Each occurrence of `key`, with its values.
    fn each<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s [String]> + 's {
        self.0
            .iter()
            .filter(move |(k, _)| *k == key)
            .map(|(_, v)| v.as_slice())
    }

    /// Parameter `key` as a whole number, or `default` when it has no value.
    fn number(&self, function: &str, key: &str, default: Option<i64>) -> Result<i64, String> {
        match (self.one(key), default) {
            (None, Some(default)) => Ok(default),
            (value, _) => value
                .unwrap_or_default()
                .trim()
                .parse()
                .map_err(|_| format!("{function}: {key} is not a number")),
        }
    }
}

fn boolean(text: &str) -> Option<bool> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") => Some(true),
        t if t.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn truth(value: bool) -> Vec<String> {
    vec![if value { "True" } else { "False" }.to_owned()]
}

/// One value, or none when `value` is `None`.
fn single(value: Option<String>) -> Vec<String> {
    value.into_iter().collect()
}

/// Applies the single-valued `f` to the first value of `source`, if there is one.
fn mapped(arguments: &Arguments<'_>, key: &str, f: impl FnOnce(&str) -> String) -> Vec<String> {
    single(arguments.one(key).map(f))
}

/// Evaluates function `name` on its arguments.
fn call(name: &str, arguments: &Arguments<'_>) -> Result<Vec<String>, String> {
    let a = arguments;
    Ok(match name {
        "Append" => mapped(a, "source", |s| format!("{s}{}", a.text("suffix"))),
        "CBool" => match a.one("Expression") {
            None => Vec::new(),
            Some(v) => {
                truth(boolean(v).unwrap_or_else(|| v.trim().parse::<f64>().is_ok_and(|n| n != 0.0)))
            }
        },
        "Coalesce" => single(
            a.each("source")
                .find_map(|values| values.first().filter(|v| !v.is_empty()).cloned()),
        ),
        "ConvertToBase64" => mapped(a, "source", |s| {
            let utf16: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
            base64(&utf16)
        }),
        "ConvertToUTF8Hex" => mapped(a, "source", |s| {
            s.bytes().map(|b| format!("{b:02X}")).collect()
        }),
        "Count" => vec![a.all("attribute").count().to_string()],
        "CStr" => single(a.one("value").map(str::to_owned)),
        "IIF" => {
            let condition = a
                .one("condition")
                .and_then(boolean)
                .ok_or_else(|| "IIF: the condition is not True or False".to_owned())?;
            let key = if condition {
                "valueIfTrue"
            } else {
                "valueIfFalse"
            };
            a.all(key).map(str::to_owned).collect()
        }
        "InStr" => {
            let start = a.number("InStr", "start", Some(1))?;
            let start = usize::try_from(start.max(1) - 1).unwrap_or(0);
            let text_compare = a
                .one("compareType")
                .is_some_and(|c| c.eq_ignore_ascii_case("text"));
            let fold = |s: &str| {
                if text_compare {
                    s.to_lowercase()
                } else {
                    s.to_owned()
                }
            };
            let (haystack, needle) = (fold(a.text("value1")), fold(a.text("value2")));
            let chars: Vec<char> = haystack.chars().collect();
            let rest: String = chars.iter().skip(start).collect();
            let found = rest
                .find(&needle)
                .map_or(0, |byte| rest[..byte].chars().count() + start + 1);
            vec![found.to_string()]
        }
        "IsNull" => truth(a.one("Expression").is_none()),
        "IsNullOrEmpty" => truth(a.one("Expression").is_none_or(str::is_empty)),
        "IsPresent" => truth(a.one("Expression").is_some_and(|v| !v.is_empty())),
        "Join" => vec![
            a.all("source")
                .filter(|v| !v.is_empty())
                .collect::<Vec<_>>()
                .join(a.text("separator")),
        ],
        "Left" => {
            let count = usize::try_from(a.number("Left", "NumChars", None)?.max(0)).unwrap_or(0);
            mapped(a, "String", |s| s.chars().take(count).collect())
        }
        "Mid" => {
            let start = usize::try_from(a.number("Mid", "start", None)?.max(1)).unwrap_or(1);
            let length = usize::try_from(a.number("Mid", "length", None)?.max(0)).unwrap_or(0);
            mapped(a, "source", |s| {
                s.chars().skip(start - 1).take(length).collect()
            })
        }
        "NormalizeDiacritics" => mapped(a, "source", |s| s.chars().map(plain).collect()),
        "Not" => match a.one("source") {
            None => Vec::new(),
            Some(v) => truth(!boolean(v).ok_or("Not: the source is not a boolean")?),
        },
        "PCase" => {
            let separators = a.text("wordSeparators").to_owned();
            mapped(a, "source", |s| proper_case(s, &separators))
        }
        "RemoveDuplicates" => {
            let mut seen: Vec<String> = Vec::new();
            for value in a.all("attribute") {
                if !seen.iter().any(|s| s == value) {
                    seen.push(value.to_owned());
                }
            }
            seen
        }
        "Replace" => {
            let old = a.text("oldValue");
            let new = a.text("replacementValue");
            mapped(a, "source", |s| {
                if old.is_empty() {
                    s.to_owned()
                } else {
                    s.replace(old, new)
                }
            })
        }
        "Split" => {
            let delimiter = a.text("delimiter");
            match a.one("String") {
                None => Vec::new(),
                Some(s) if delimiter.is_empty() => vec![s.to_owned()],
                Some(s) => s.split(delimiter).map(str::to_owned).collect(),
            }
        }
        "StripSpaces" => mapped(a, "source", |s| s.replace(' ', "")),
        "Switch" => {
            let source = a.one("source");
            let keys: Vec<&[String]> = a.each("key").collect();
            let values: Vec<&[String]> = a.each("value").collect();
            let chosen = keys
                .iter()
                .position(|key| key.first().map(String::as_str) == source)
                .and_then(|i| values.get(i).copied());
            match chosen {
                Some(value) => value.to_vec(),
                None => a.all("defaultValue").map(str::to_owned).collect(),
            }
        }
        "ToLower" => mapped(a, "source", str::to_lowercase),
        "ToUpper" => mapped(a, "source", str::to_uppercase),
        "Word" => {
            let number = a.number("Word", "WordNumber", None)?;
            let delimiters: Vec<char> = a.text("Delimiters").chars().collect();
            let word = a.one("String").and_then(|s| {
                let words: Vec<&str> = s
                    .split(|c| delimiters.contains(&c))
                    .filter(|w| !w.is_empty())
                    .collect();
                usize::try_from(number)
                    .ok()?
                    .checked_sub(1)
                    .and_then(|i| words.get(i))
                    .map(|w| (*w).to_owned())
            });
            single(word)
        }
        other => return Err(format!("the emulator cannot evaluate {other}")),
    })
}

/// `s` with each word's first letter upper case and the rest lower case (words are separated
/// by whitespace and the `separators`).
fn proper_case(s: &str, separators: &str) -> String {
    let mut start = true;
    s.chars()
        .map(|c| {
            let out = if start {
                c.to_uppercase().collect::<String>()
            } else {
                c.to_lowercase().collect()
            };
            start = c.is_whitespace() || separators.contains(c);
            out
        })
        .collect()
}

/// A Latin letter without its diacritic (others unchanged).
fn plain(c: char) -> char {
    const TABLE: &[(&str, char)] = &[
        ("àáâãäåā", 'a'),
        ("ÀÁÂÃÄÅĀ", 'A'),
        ("çćč", 'c'),
        ("ÇĆČ", 'C'),
        ("ďđ", 'd'),
        ("ĎĐ", 'D'),
        ("èéêëēěę", 'e'),
        ("ÈÉÊËĒĚĘ", 'E'),
        ("ìíîïī", 'i'),
        ("ÌÍÎÏĪ", 'I'),
        ("ľĺł", 'l'),
        ("ĽĹŁ", 'L'),
        ("ñńň", 'n'),
        ("ÑŃŇ", 'N'),
        ("òóôõöøō", 'o'),
        ("ÒÓÔÕÖØŌ", 'O'),
        ("ŕř", 'r'),
        ("ŔŘ", 'R'),
        ("śšş", 's'),
        ("ŚŠŞ", 'S'),
        ("ťţ", 't'),
        ("ŤŢ", 'T'),
        ("ùúûüūů", 'u'),
        ("ÙÚÛÜŪŮ", 'U'),
        ("ýÿ", 'y'),
        ("ÝŸ", 'Y'),
        ("źżž", 'z'),
        ("ŹŻŽ", 'Z'),
    ];
    TABLE
        .iter()
        .find(|(from, _)| from.contains(c))
        .map_or(c, |(_, to)| *to)
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use graph_sync_model::{ExpressionInputObject, StringKeyObjectValuePair};

    use super::*;

    fn run(expression: &str, properties: &[(&str, &str)]) -> ParseExpressionResponse {
        let mut object = ExpressionInputObject::default();
        object.properties = Property::Value(
            properties
                .iter()
                .map(|(k, v)| StringKeyObjectValuePair::new(*k, *v))
                .collect(),
        );
        parse_expression(&ParseExpressionRequest::new(expression).test_input_object(object))
    }

    #[test]
    fn the_documented_replace_parses_and_evaluates() {
        let response = run(
            "Replace([preferredLanguage], \"-\", , , \"_\", , )",
            &[("preferredLanguage", "en-US")],
        );
        assert!(
            response.parsing_succeeded == Property::Value(true)
                && response.evaluation_succeeded == Property::Value(true),
            "{response:?}"
        );
        assert_eq!(response.evaluation_result.into_option().unwrap(), ["en_US"]);
        let parsed = response.parsed_expression.into_option().unwrap();
        let keys: Vec<_> = parsed
            .parameters
            .into_option()
            .unwrap()
            .iter()
            .map(|p| p.key.clone().into_option().unwrap())
            .collect();
        assert_eq!(keys, ["source", "oldValue", "replacementValue"]);
    }

    #[test]
    fn functions_nest_and_join() {
        let response = run(
            "Join(\" \", ToUpper([givenName]), [surname])",
            &[("givenName", "bill"), ("surname", "Bob")],
        );
        assert_eq!(
            response.evaluation_result.into_option().unwrap(),
            ["BILL Bob"]
        );
    }

    fn result(expression: &str, properties: &[(&str, Value)]) -> Result<Vec<String>, String> {
        let mut object = ExpressionInputObject::default();
        object.properties = Property::Value(
            properties
                .iter()
                .map(|(k, v)| StringKeyObjectValuePair::new(*k, v.clone()))
                .collect(),
        );
        let response =
            parse_expression(&ParseExpressionRequest::new(expression).test_input_object(object));
        assert_eq!(
            response.parsing_succeeded,
            Property::Value(true),
            "{expression}: {response:?}"
        );
        match response.evaluation_result.into_option() {
            Some(values) => Ok(values),
            None => Err(response
                .error
                .into_option()
                .unwrap()
                .message
                .into_option()
                .unwrap()),
        }
    }

    #[test]
    fn every_claimed_function_evaluates_as_documented() {
        use serde_json::json;
        let user = [
            ("givenName", json!("josé")),
            ("surname", json!("de la Cruz")),
            ("department", json!("Sales")),
            ("accountEnabled", json!(true)),
            ("mail", json!("Jose.Cruz@contoso.com")),
            (
                "proxyAddresses",
                json!(["smtp:a@x", "SMTP:b@x", "smtp:a@x"]),
            ),
        ];
        let cases: &[(&str, &[&str])] = &[
            ("Append([givenName], \"!\")", &["josé!"]),
            ("CBool(\"1\")", &["True"]),
            (
                "Coalesce([mailNickname], [mail])",
                &["Jose.Cruz@contoso.com"],
            ),
            (
                "ConvertToBase64(\"Hello world!\")",
                &["SABlAGwAbABvACAAdwBvAHIAbABkACEA"],
            ),
            (
                "ConvertToUTF8Hex(\"Hello world!\")",
                &["48656C6C6F20776F726C6421"],
            ),
            ("Count([proxyAddresses])", &["3"]),
            ("CStr([accountEnabled])", &["True"]),
            ("IIF([accountEnabled], \"on\", \"off\")", &["on"]),
            ("InStr([mail], \"cruz\", , \"text\")", &["6"]),
            ("InStr([mail], \"cruz\")", &["0"]),
            ("IsNull([mailNickname])", &["True"]),
            ("IsNullOrEmpty([department])", &["False"]),
            ("IsPresent([mailNickname])", &["False"]),
            (
                "Join(\".\", [givenName], [mailNickname], [surname])",
                &["josé.de la Cruz"],
            ),
            ("Left([department], 3)", &["Sal"]),
            ("Mid([mail], 6, 4)", &["Cruz"]),
            ("NormalizeDiacritics([givenName])", &["jose"]),
            ("Not([accountEnabled])", &["False"]),
            ("PCase([surname])", &["De La Cruz"]),
            (
                "RemoveDuplicates([proxyAddresses])",
                &["smtp:a@x", "SMTP:b@x"],
            ),
            (
                "Replace([mail], \"@contoso.com\", , , \"@fabrikam.com\", , )",
                &["Jose.Cruz@fabrikam.com"],
            ),
            ("Split([mail], \"@\")", &["Jose.Cruz", "contoso.com"]),
            ("StripSpaces([surname])", &["delaCruz"]),
            (
                "Switch([department], \"other\", \"Sales\", \"S\", \"HR\", \"H\")",
                &["S"],
            ),
            (
                "Switch([surname], \"other\", \"Sales\", \"S\", \"HR\", \"H\")",
                &["other"],
            ),
            ("ToLower([department])", &["sales"]),
            ("ToUpper(Left([givenName], 1))", &["J"]),
            ("Word([surname], 3, \" \")", &["Cruz"]),
            (
                "Join(\",\", Split([mail], \".\"))",
                &["Jose,Cruz@contoso,com"],
            ),
        ];
        for (expression, expected) in cases {
            let expected: Vec<String> = expected.iter().map(|e| (*e).to_owned()).collect();
            assert_eq!(result(expression, &user), Ok(expected), "{expression}");
        }
        for function in FUNCTIONS {
            assert!(
                cases
                    .iter()
                    .any(|(e, _)| e.starts_with(&format!("{}(", function.name))),
                "{} is claimed but not tested",
                function.name
            );
        }
        assert_eq!(
            result("ToUpper([mailNickname])", &user),
            Err("the test object has no value for 'mailNickname'".to_owned())
        );
        assert!(
            result("IIF([department], \"a\", \"b\")", &user)
                .unwrap_err()
                .contains("IIF")
        );
        assert_eq!(
            evaluate(
                &parse("Join(\" \", [a], [b])"),
                &HashMap::from([("a", "x".to_owned())])
            ),
            Ok("x".to_owned())
        );
    }

    fn parse(expression: &str) -> AttributeMappingSource {
        parse_expression(&ParseExpressionRequest::new(expression))
            .parsed_expression
            .into_option()
            .unwrap()
    }

    #[test]
    fn errors_come_back_in_the_response() {
        for bad in [
            "Frobnicate([x])",
            "Append([x]",
            "[x",
            "\"x",
            "Append([x], \"y\") trailing",
            "",
        ] {
            let response = run(bad, &[]);
            assert_eq!(response.parsing_succeeded, Property::Value(false), "{bad}");
            assert!(response.error.into_option().unwrap().message.is_value());
        }
        let response = run("[missing]", &[]);
        assert_eq!(response.parsing_succeeded, Property::Value(true));
        assert_eq!(response.evaluation_succeeded, Property::Value(false));
    }
}
