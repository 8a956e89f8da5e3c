//! `parseExpression`: the attribute-mapping expression language, parsed into an
//! [`AttributeMappingSource`] tree and evaluated against a test object.
//!
//! Grammar: `[attribute]`, `"constant"` (with `\"` escapes), `Function(arg, arg, …)` where an
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
        let values: HashMap<&str, String> = object
            .properties
            .iter()
            .flatten()
            .filter_map(|p| Some((p.key.as_deref()?, text_of(p.extra.get("value")?)?)))
            .collect();
        match evaluate(&source, &values) {
            Ok(value) => {
                response.evaluation_succeeded = Property::Value(true);
                response.evaluation_result = Property::Value(vec![value]);
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

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
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
                        let (parameter, _, _) = function
                            .parameters
                            .get(index)
                            .or_else(|| function.parameters.last().filter(|p| p.2))
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

/// Evaluates `source` against the attribute `values` of an object.
pub(crate) fn evaluate(
    source: &AttributeMappingSource,
    values: &HashMap<&str, String>,
) -> Result<String, String> {
    let name = source.name.as_deref().unwrap_or_default();
    match source.r#type.get() {
        Some(AttributeMappingSourceType::Attribute) => values
            .get(name)
            .cloned()
            .ok_or_else(|| format!("the test object has no value for '{name}'")),
        Some(AttributeMappingSourceType::Constant) => Ok(name.to_owned()),
        _ => {
            let mut arguments: Vec<(&str, String)> = Vec::new();
            for pair in source.parameters.iter().flatten() {
                if let Property::Value(value) = &pair.value {
                    arguments.push((
                        pair.key.as_deref().unwrap_or_default(),
                        evaluate(value, values)?,
                    ));
                }
            }
            let arg = |key: &str| {
                arguments
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or_default()
            };
            let sources = || {
                arguments
                    .iter()
                    .filter(|(k, _)| *k == "source")
                    .map(|(_, v)| v.as_str())
            };
            Ok(match name {
                "Append" => format!("{}{}", arg("source"), arg("suffix")),
                "Coalesce" => sources()
                    .find(|v| !v.is_empty())
                    .unwrap_or_default()
                    .to_owned(),
                "Join" => sources()
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>()
                    .join(arg("separator")),
                "Mid" => {
                    let start: usize = arg("start")
                        .parse()
                        .map_err(|_| "Mid: start is not a number".to_owned())?;
                    let length: usize = arg("length")
                        .parse()
                        .map_err(|_| "Mid: length is not a number".to_owned())?;
                    arg("source")
                        .chars()
                        .skip(start.saturating_sub(1))
                        .take(length)
                        .collect()
                }
                "Not" => match arg("source") {
                    v if v.eq_ignore_ascii_case("true") => "False".to_owned(),
                    v if v.eq_ignore_ascii_case("false") => "True".to_owned(),
                    _ => return Err("Not: the source is not a boolean".to_owned()),
                },
                "Replace" => {
                    let old = arg("oldValue");
                    if old.is_empty() {
                        arg("source").to_owned()
                    } else {
                        arg("source").replace(old, arg("replacementValue"))
                    }
                }
                "ToLower" => arg("source").to_lowercase(),
                "ToUpper" => arg("source").to_uppercase(),
                other => return Err(format!("the emulator cannot evaluate {other}")),
            })
        }
    }
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
