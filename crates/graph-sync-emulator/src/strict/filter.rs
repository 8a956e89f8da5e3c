//! `$filter` expressions: comparisons (`eq`, `ne`, `gt`, `ge`, `lt`, `le`) of a property path
//! with a literal (`'text'` with `''` for a quote, numbers, `true`, `false`, `null`, a bare
//! GUID), `startswith`, `endswith` and `contains`, `and`, `or`, `not` and parentheses;
//! strings compare case-insensitively, as directory queries do. Anything else is the OData
//! reader's `Syntax error at position N in '…'.`; an unknown property is `Could not find a
//! property named …`. Also `path in (literal, …)` and `collection/any(x:x eq literal)`, as
//! directory queries use them; other lambdas (`all`, `any` with another body) are not
//! supported (a `400` saying so).

use std::cmp::Ordering;

use serde_json::Value;

use super::properties::{Properties, lookup};
use crate::error::GraphError;

/// A parsed `$filter`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    /// `a and b`.
    And(Box<Self>, Box<Self>),
    /// `a or b`.
    Or(Box<Self>, Box<Self>),
    /// `not a`.
    Not(Box<Self>),
    /// `path op literal`.
    Compare(Vec<String>, Op, Value),
    /// `function(path, 'text')`.
    Text(TextFunction, Vec<String>, String),
    /// `path in (literal, …)`.
    In(Vec<String>, Vec<Value>),
    /// `collection/any(x:x eq literal)`.
    Any(Vec<String>, Value),
    /// `path op 2026-11-29T10:00:00Z`: a `DateTimeOffset` literal, compared as an instant.
    CompareTime(Vec<String>, Op, time::OffsetDateTime),
    /// The filter with strings compared case-sensitively (the provisioning logs document
    /// their filters so).
    Exact(Box<Self>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    /// Whether a value ordered `order` against the literal passes.
    fn holds(self, order: Ordering) -> bool {
        match self {
            Self::Eq => order.is_eq(),
            Self::Ne => order.is_ne(),
            Self::Gt => order.is_gt(),
            Self::Ge => order.is_ge(),
            Self::Lt => order.is_lt(),
            Self::Le => order.is_le(),
        }
    }
}

/// A string function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextFunction {
    StartsWith,
    EndsWith,
    Contains,
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
}

struct Parser<'a> {
    source: &'a str,
    tokens: Vec<(usize, Token)>,
    at: usize,
    of: Option<&'a dyn Properties>,
}

fn syntax(position: usize, source: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Syntax error at position {position} in '{source}'."
    ))
}

fn unsupported(source: &str) -> GraphError {
    GraphError::bad_request(format!(
        "The function or lambda operator in '{source}' is not supported by the emulator's $filter."
    ))
}

fn tokenize(source: &str) -> Result<Vec<(usize, Token)>, GraphError> {
    let mut tokens = Vec::new();
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let mut index = 0;
    while let Some(&(position, c)) = chars.get(index) {
        match c {
            ' ' | '\t' => index += 1,
            '(' | ')' | ',' => {
                tokens.push((
                    position,
                    match c {
                        '(' => Token::Open,
                        ')' => Token::Close,
                        _ => Token::Comma,
                    },
                ));
                index += 1;
            }
            '\'' => {
                let mut text = String::new();
                index += 1;
                loop {
                    match chars.get(index) {
                        Some((_, '\'')) if matches!(chars.get(index + 1), Some((_, '\''))) => {
                            text.push('\'');
                            index += 2;
                        }
                        Some((_, '\'')) => {
                            index += 1;
                            break;
                        }
                        Some(&(_, other)) => {
                            text.push(other);
                            index += 1;
                        }
                        None => return Err(syntax(source.len(), source)),
                    }
                }
                tokens.push((position, Token::Text(text)));
            }
            _ => {
                let mut word = String::new();
                while let Some(&(_, c)) = chars.get(index) {
                    if matches!(c, ' ' | '\t' | '(' | ')' | ',' | '\'') {
                        break;
                    }
                    word.push(c);
                    index += 1;
                }
                tokens.push((position, Token::Word(word)));
            }
        }
    }
    Ok(tokens)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn position(&self) -> usize {
        self.tokens
            .get(self.at)
            .map_or(self.source.len(), |(p, _)| *p)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).map(|(_, t)| t.clone());
        self.at += 1;
        token
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w == word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &Token) -> Result<(), GraphError> {
        if self.peek() == Some(token) {
            self.at += 1;
            Ok(())
        } else {
            Err(syntax(self.position(), self.source))
        }
    }

    fn or(&mut self) -> Result<Filter, GraphError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, GraphError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, GraphError> {
        if self.keyword("not") {
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or()?;
            self.expect(&Token::Close)?;
            return Ok(inner);
        }
        let position = self.position();
        let Some(Token::Word(word)) = self.next() else {
            return Err(syntax(position, self.source));
        };
        let function = match word.as_str() {
            "startswith" => Some(TextFunction::StartsWith),
            "endswith" => Some(TextFunction::EndsWith),
            "contains" => Some(TextFunction::Contains),
            _ => None,
        };
        if let Some(function) = function {
            self.expect(&Token::Open)?;
            let path_at = self.position();
            let Some(Token::Word(path)) = self.next() else {
                return Err(syntax(path_at, self.source));
            };
            let path = self.path(&path)?;
            self.expect(&Token::Comma)?;
            let text_at = self.position();
            let Some(Token::Text(text)) = self.next() else {
                return Err(syntax(text_at, self.source));
            };
            self.expect(&Token::Close)?;
            return Ok(Filter::Text(function, path, text));
        }
        if let Some(collection) = word.strip_suffix("/any")
            && self.peek() == Some(&Token::Open)
        {
            return self.any(collection);
        }
        if self.peek() == Some(&Token::Open) || word.contains("/any") || word.contains("/all") {
            return Err(unsupported(self.source));
        }
        let path = self.path(&word)?;
        let op_at = self.position();
        let op = match self.next() {
            Some(Token::Word(op)) => match op.as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                "in" => return self.list(path),
                _ => return Err(syntax(op_at, self.source)),
            },
            _ => return Err(syntax(op_at, self.source)),
        };
        if let Some(Token::Word(word)) = self.peek()
            && let Some(at) = instant(word)
        {
            self.at += 1;
            return Ok(Filter::CompareTime(path, op, at));
        }
        Ok(Filter::Compare(path, op, self.literal()?))
    }

    /// `(literal, …)` after `path in`.
    fn list(&mut self, path: Vec<String>) -> Result<Filter, GraphError> {
        self.expect(&Token::Open)?;
        let mut literals = vec![self.literal()?];
        while self.peek() == Some(&Token::Comma) {
            self.at += 1;
            literals.push(self.literal()?);
        }
        self.expect(&Token::Close)?;
        Ok(Filter::In(path, literals))
    }

    /// `(x:x eq literal)` after `collection/any`.
    fn any(&mut self, collection: &str) -> Result<Filter, GraphError> {
        let path = self.path(collection)?;
        self.expect(&Token::Open)?;
        let binding = match self.next() {
            Some(Token::Word(binding)) => binding,
            _ => return Err(unsupported(self.source)),
        };
        let well_formed = binding
            .split_once(':')
            .is_some_and(|(variable, body)| !variable.is_empty() && variable == body);
        if !well_formed || !self.keyword("eq") {
            return Err(unsupported(self.source));
        }
        let literal = self.literal()?;
        self.expect(&Token::Close)?;
        Ok(Filter::Any(path, literal))
    }

    /// A literal: `'text'`, a number, `true`, `false`, `null` or a bare GUID.
    fn literal(&mut self) -> Result<Value, GraphError> {
        let literal_at = self.position();
        match self.next() {
            Some(Token::Text(text)) => Ok(Value::String(text)),
            Some(Token::Word(word)) => match word.as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                "null" => Ok(Value::Null),
                number if number.parse::<i64>().is_ok() => {
                    serde_json::from_str(number).map_err(|_| syntax(literal_at, self.source))
                }
                guid if super::body::is_guid(guid) => Ok(Value::String(guid.to_owned())),
                _ => Err(syntax(literal_at, self.source)),
            },
            _ => Err(syntax(literal_at, self.source)),
        }
    }

    fn path(&self, text: &str) -> Result<Vec<String>, GraphError> {
        let steps: Vec<String> = text.split('/').map(str::to_owned).collect();
        let first = steps.first().map(String::as_str).unwrap_or_default();
        if first.is_empty() || !first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(syntax(self.position().saturating_sub(1), self.source));
        }
        if let Some(of) = self.of
            && !of.has(first)
        {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{first}' on type '{}'.",
                of.type_name()
            )));
        }
        Ok(steps)
    }
}

impl Filter {
    /// Parses `source`, checking property names against `of`.
    pub(crate) fn parse(source: &str, of: Option<&dyn Properties>) -> Result<Self, GraphError> {
        let tokens = tokenize(source)?;
        let mut parser = Parser {
            source,
            tokens,
            at: 0,
            of,
        };
        let filter = parser.or()?;
        if parser.at < parser.tokens.len() {
            return Err(syntax(parser.position(), source));
        }
        Ok(if of.is_some_and(|of| of.case_sensitive()) {
            Self::Exact(Box::new(filter))
        } else {
            filter
        })
    }

    /// Whether `item` passes.
    pub(crate) fn matches(&self, item: &Value) -> bool {
        self.eval(item, false)
    }

    /// Whether `item` passes, strings compared case-sensitively when `exact`.
    fn eval(&self, item: &Value, exact: bool) -> bool {
        match self {
            Self::Exact(inner) => inner.eval(item, true),
            Self::And(a, b) => a.eval(item, exact) && b.eval(item, exact),
            Self::Or(a, b) => a.eval(item, exact) || b.eval(item, exact),
            Self::Not(a) => !a.eval(item, exact),
            Self::Compare(path, op, literal) => compare(lookup(item, path), *op, literal, exact),
            Self::CompareTime(path, op, at) => {
                let value = lookup(item, path)
                    .as_str()
                    .and_then(|text| graph_sync_model::Timestamp::parse(text).ok())
                    .and_then(|value| value.value());
                value.is_some_and(|value| op.holds(value.cmp(at)))
            }
            Self::In(path, literals) => {
                let value = lookup(item, path);
                literals
                    .iter()
                    .any(|literal| compare(value, Op::Eq, literal, exact))
            }
            Self::Any(path, literal) => match lookup(item, path) {
                Value::Array(values) => values
                    .iter()
                    .any(|value| compare(value, Op::Eq, literal, exact)),
                _ => false,
            },
            Self::Text(function, path, text) => {
                let Value::String(value) = lookup(item, path) else {
                    return false;
                };
                let (value, text) = (fold(value, exact), fold(text, exact));
                match function {
                    TextFunction::StartsWith => value.starts_with(text.as_ref()),
                    TextFunction::EndsWith => value.ends_with(text.as_ref()),
                    TextFunction::Contains => value.contains(text.as_ref()),
                }
            }
        }
    }
}

/// `value op literal`; strings compared without regard to case unless `exact`. Values of
/// different kinds are only ever unequal.
fn compare(value: &Value, op: Op, literal: &Value, exact: bool) -> bool {
    let order = match (value, literal) {
        (Value::String(a), Value::String(b)) => Some(fold(a, exact).cmp(&fold(b, exact))),
        (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => None,
    };
    match order {
        Some(order) => op.holds(order),
        None => op == Op::Ne,
    }
}

/// `text` as compared: lower-cased unless `exact`.
fn fold(text: &str, exact: bool) -> std::borrow::Cow<'_, str> {
    if exact {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.to_lowercase())
    }
}

/// A bare word that is a `DateTimeOffset` literal (and not a number, GUID or keyword).
fn instant(word: &str) -> Option<time::OffsetDateTime> {
    let other_literal = matches!(word, "true" | "false" | "null")
        || word.parse::<i64>().is_ok()
        || super::body::is_guid(word);
    if other_literal {
        return None;
    }
    graph_sync_model::Timestamp::parse(word)
        .ok()
        .and_then(|at| at.value())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn expressions_parse_and_match() {
        let item = json!({"displayName": "Bob's App", "n": 3, "on": true, "status": {"code": "Active"}, "tags": ["a", "b"]});
        let yes = [
            "displayName eq 'bob''s app'",
            "startswith(displayName,'Bob')",
            "n gt 2 and on eq true",
            "not (n lt 3) or displayName eq 'x'",
            "status/code eq 'Active'",
            "missing eq null",
            "contains(displayName, 'APP')",
            "n in (1, 3)",
            "displayName in ('x', 'BOB''S APP')",
            "tags/any(t:t eq 'B')",
        ];
        for source in yes {
            assert!(
                Filter::parse(source, None).unwrap().matches(&item),
                "{source}"
            );
        }
        for source in [
            "n eq 4",
            "endswith(displayName,'bob')",
            "n ne 3",
            "n in (1, 2)",
            "tags/any(t:t eq 'c')",
            "on/any(t:t eq true)",
        ] {
            assert!(
                !Filter::parse(source, None).unwrap().matches(&item),
                "{source}"
            );
        }
    }

    #[test]
    fn malformed_expressions_name_their_position() {
        for (source, position) in [
            ("zzz", 3),
            ("n eq", 4),
            ("n xx 1", 2),
            ("(n eq 1", 7),
            ("n eq 1 1", 7),
        ] {
            assert_eq!(
                Filter::parse(source, None).unwrap_err().message(),
                format!("Syntax error at position {position} in '{source}'."),
                "{source}"
            );
        }
        assert!(Filter::parse("'open", None).is_err());
        assert!(Filter::parse("tags/all(t:t eq 'x')", None).is_err());
        assert!(Filter::parse("tags/any(t:u eq 'x')", None).is_err());
        assert!(Filter::parse("tags/any(t:t ne 'x')", None).is_err());
        assert!(Filter::parse("n in (1,", None).is_err());
    }
}
