//! The ConnectWise query language used by `conditions`, `childConditions` and
//! `customFieldConditions` (reference §6.2): a small tokenizer, a recursive-descent parser and an
//! evaluator over `serde_json::Value` entities, plus the type checks that make the real server
//! answer 400 ("Expected a boolean value, not a numeric. String values should be enclosed …").
//!
//! Semantics follow the SQL the real server generates: `and` binds tighter than `or`, string
//! comparisons ignore case (SQL Server's default collation), and a comparison against a null field
//! is false unless the literal is `null` (so `x != 5` does not match rows where `x` is null).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

/// The tail of the real server's error text for a badly typed value (connectwise-rest README).
pub const VALUE_HINT: &str = "String values should be enclosed with double or single quotes; \
DateTime values should be enclosed in square brackets; numbers should consist of only digits, and \
optionally a decimal point and a negation sign; boolean values should be indicated with the \
keywords true or false; null values should be indicated by the keyword null.";

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Date(DateTime<Utc>),
}

impl Literal {
    fn kind_name(&self) -> &'static str {
        match self {
            Literal::Str(_) => "string",
            Literal::Num(_) => "numeric",
            Literal::Bool(_) => "boolean",
            Literal::Null => "null",
            Literal::Date(_) => "datetime",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    Like,
    In,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `negated` covers `not contains`, `not like` and `not in`.
    Cmp {
        field: String,
        op: Op,
        negated: bool,
        values: Vec<Literal>,
    },
}

/// What a field holds, learnt from the entities of a collection (see [`FieldIndex`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Number,
    Text,
    Date,
    Object,
    Array,
    /// Only ever seen as null: any literal is accepted.
    Unknown,
}

/// Every field path of a collection with its kind, so bad conditions fail like on the real server
/// instead of silently matching nothing. Paths through arrays (`types/name`) are recorded too.
#[derive(Debug, Clone, Default)]
pub struct FieldIndex {
    kinds: HashMap<String, Kind>,
}

impl FieldIndex {
    pub fn from_entities<'a>(entities: impl IntoIterator<Item = &'a Value>) -> FieldIndex {
        let mut idx = FieldIndex::default();
        for e in entities {
            if let Value::Object(map) = e {
                for (k, v) in map {
                    idx.learn(k.clone(), v);
                }
            }
        }
        idx
    }

    fn learn(&mut self, path: String, v: &Value) {
        let kind = match v {
            Value::Null => Kind::Unknown,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(s) if parse_datetime(s).is_some() => Kind::Date,
            Value::String(_) => Kind::Text,
            Value::Object(_) => Kind::Object,
            Value::Array(_) => Kind::Array,
        };
        let merged = match (self.kinds.get(&path).copied(), kind) {
            (None, k) | (Some(Kind::Unknown), k) => k,
            (Some(old), Kind::Unknown) => old,
            // A string field that is sometimes a date-time is still a string field.
            (Some(Kind::Date), Kind::Text) | (Some(Kind::Text), Kind::Date) => Kind::Text,
            (Some(old), _) => old,
        };
        self.kinds.insert(path.clone(), merged);
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    self.learn(format!("{path}/{k}"), child);
                }
            }
            Value::Array(items) => {
                for item in items {
                    if let Value::Object(map) = item {
                        for (k, child) in map {
                            self.learn(format!("{path}/{k}"), child);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The stored path for a field name: audit fields such as `lastUpdated` live in `_info` but
    /// are filtered by their bare name (reference §6.2: `lastUpdated > [2025-01-01T00:00:00Z]`).
    pub fn canonical(&self, path: &str) -> String {
        let info = format!("_info/{path}");
        if self.lookup(path).is_err() && self.kinds.contains_key(&info) {
            info
        } else {
            path.to_string()
        }
    }

    /// The kind of a path and whether it goes through an array. Unknown fields are an error,
    /// except below a reference that was only ever null (its sub-fields cannot be learnt).
    pub fn lookup(&self, path: &str) -> Result<(Kind, bool), String> {
        let segs: Vec<&str> = path.split('/').collect();
        let mut through_array = false;
        for i in 0..segs.len() {
            let prefix = segs[..=i].join("/");
            match self.kinds.get(&prefix) {
                Some(Kind::Unknown) => return Ok((Kind::Unknown, through_array)),
                Some(Kind::Array) if i + 1 < segs.len() => through_array = true,
                Some(Kind::Object) if i + 1 < segs.len() => {}
                Some(k) if i + 1 == segs.len() => return Ok((*k, through_array)),
                _ => break,
            }
        }
        Err(format!("Unknown field '{path}'."))
    }
}

/// Where an expression is used: plain `conditions` may not reach into arrays (company `types`
/// need `childConditions`, reference §11.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Conditions,
    Child,
}

/// Parses and type-checks a condition string against a collection's fields.
pub fn compile(src: &str, index: &FieldIndex, scope: Scope) -> Result<Expr, String> {
    let expr = canonical_fields(parse(src)?, index);
    check(&expr, index, scope)?;
    Ok(expr)
}

fn canonical_fields(expr: Expr, index: &FieldIndex) -> Expr {
    match expr {
        Expr::And(a, b) => Expr::And(
            Box::new(canonical_fields(*a, index)),
            Box::new(canonical_fields(*b, index)),
        ),
        Expr::Or(a, b) => Expr::Or(
            Box::new(canonical_fields(*a, index)),
            Box::new(canonical_fields(*b, index)),
        ),
        Expr::Cmp {
            field,
            op,
            negated,
            values,
        } => Expr::Cmp {
            field: index.canonical(&field),
            op,
            negated,
            values,
        },
    }
}

fn check(expr: &Expr, index: &FieldIndex, scope: Scope) -> Result<(), String> {
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => {
            check(a, index, scope)?;
            check(b, index, scope)
        }
        Expr::Cmp {
            field, op, values, ..
        } => {
            let (kind, through_array) = index.lookup(field)?;
            if through_array && scope == Scope::Conditions {
                return Err(format!(
                    "'{field}' is a field of a collection; filter it with childConditions."
                ));
            }
            for v in values {
                check_value(field, kind, *op, v)?;
            }
            Ok(())
        }
    }
}

fn check_value(field: &str, kind: Kind, op: Op, v: &Literal) -> Result<(), String> {
    let expected = match kind {
        Kind::Unknown => return Ok(()),
        Kind::Object | Kind::Array => {
            return Err(format!(
            "'{field}' is a reference; compare one of its fields instead (for example {field}/id)."
        ))
        }
        Kind::Bool => "boolean",
        Kind::Number => "numeric",
        Kind::Text => "string",
        Kind::Date => "datetime",
    };
    if *v == Literal::Null {
        return if matches!(op, Op::Eq | Op::Ne | Op::In) {
            Ok(())
        } else {
            Err(format!(
                "The operator cannot be used with null on '{field}'. {VALUE_HINT}"
            ))
        };
    }
    if v.kind_name() != expected {
        return Err(format!(
            "Expected a {expected} value, not a {}. {VALUE_HINT}",
            v.kind_name()
        ));
    }
    let text_only = matches!(op, Op::Contains | Op::Like);
    let ordered = matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge);
    if (text_only && kind != Kind::Text) || (ordered && kind == Kind::Bool) {
        return Err(format!(
            "The operator is not valid for the {expected} field '{field}'."
        ));
    }
    Ok(())
}

// ---- tokenizer ---------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Lit(Literal),
    Sym(&'static str),
    LParen,
    RParen,
    Comma,
}

fn tokenize(src: &str) -> Result<Vec<(usize, Tok)>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push((start, Tok::LParen));
                i += 1;
            }
            ')' => {
                out.push((start, Tok::RParen));
                i += 1;
            }
            ',' => {
                out.push((start, Tok::Comma));
                i += 1;
            }
            '"' | '\'' => {
                // No escape sequence is documented (reference §6.2); the other quote character may
                // appear inside.
                let end = chars[i + 1..]
                    .iter()
                    .position(|&x| x == c)
                    .ok_or_else(|| format!("Unterminated string starting at position {start}."))?;
                let s: String = chars[i + 1..i + 1 + end].iter().collect();
                out.push((start, Tok::Lit(Literal::Str(s))));
                i += end + 2;
            }
            '[' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&x| x == ']')
                    .ok_or_else(|| {
                        format!("Unterminated date at position {start}. {VALUE_HINT}")
                    })?;
                let s: String = chars[i + 1..i + 1 + end].iter().collect();
                let d = parse_datetime(s.trim())
                    .ok_or_else(|| format!("Invalid date-time '[{s}]'. {VALUE_HINT}"))?;
                out.push((start, Tok::Lit(Literal::Date(d))));
                i += end + 2;
            }
            '=' => {
                out.push((start, Tok::Sym("=")));
                i += 1;
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                out.push((start, Tok::Sym("!=")));
                i += 2;
            }
            '<' | '>' => {
                let eq = chars.get(i + 1) == Some(&'=');
                let sym = match (c, eq) {
                    ('<', true) => "<=",
                    ('<', false) => "<",
                    (_, true) => ">=",
                    _ => ">",
                };
                out.push((start, Tok::Sym(sym)));
                i += if eq { 2 } else { 1 };
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                    j += 1;
                }
                let s: String = chars[i..j].iter().collect();
                let n = s.parse::<f64>().map_err(|_| {
                    format!("Invalid number '{s}' at position {start}. {VALUE_HINT}")
                })?;
                out.push((start, Tok::Lit(Literal::Num(n))));
                i = j;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_alphanumeric() || matches!(chars[j], '_' | '/'))
                {
                    j += 1;
                }
                let w: String = chars[i..j].iter().collect();
                let tok = match w.to_ascii_lowercase().as_str() {
                    "true" => Tok::Lit(Literal::Bool(true)),
                    "false" => Tok::Lit(Literal::Bool(false)),
                    "null" => Tok::Lit(Literal::Null),
                    _ => Tok::Word(w),
                };
                out.push((start, tok));
                i = j;
            }
            other => {
                return Err(format!(
                    "Unexpected character '{other}' at position {start}."
                ))
            }
        }
    }
    Ok(out)
}

// ---- parser ------------------------------------------------------------------------------------

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }
    fn at(&self) -> String {
        self.toks
            .get(self.pos)
            .map(|(p, t)| format!("'{}' at position {p}", describe(t)))
            .unwrap_or_else(|| "end of conditions".to_string())
    }
    fn keyword(&mut self, kw: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn or_expr(&mut self) -> Result<Expr, String> {
        let mut left = self.and_expr()?;
        while self.keyword("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and_expr()?));
        }
        Ok(left)
    }
    fn and_expr(&mut self) -> Result<Expr, String> {
        let mut left = self.primary()?;
        while self.keyword("and") {
            left = Expr::And(Box::new(left), Box::new(self.primary()?));
        }
        Ok(left)
    }
    fn primary(&mut self) -> Result<Expr, String> {
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let e = self.or_expr()?;
            if self.peek() != Some(&Tok::RParen) {
                return Err(format!("Expected ')' but found {}.", self.at()));
            }
            self.pos += 1;
            return Ok(e);
        }
        let field = match self.peek() {
            Some(Tok::Word(w)) => w.clone(),
            _ => return Err(format!("Expected a field name but found {}.", self.at())),
        };
        self.pos += 1;
        let negated = self.keyword("not");
        let op = match self.peek().cloned() {
            Some(Tok::Sym(s)) if !negated => {
                self.pos += 1;
                match s {
                    "=" => Op::Eq,
                    "!=" => Op::Ne,
                    "<" => Op::Lt,
                    "<=" => Op::Le,
                    ">" => Op::Gt,
                    _ => Op::Ge,
                }
            }
            _ if self.keyword("contains") => Op::Contains,
            _ if self.keyword("like") => Op::Like,
            _ if self.keyword("in") => Op::In,
            _ => {
                return Err(format!(
                    "Expected an operator after '{field}' but found {}.",
                    self.at()
                ))
            }
        };
        let values = if op == Op::In {
            if self.peek() != Some(&Tok::LParen) {
                return Err(format!("Expected '(' after 'in' but found {}.", self.at()));
            }
            self.pos += 1;
            let mut vals = vec![self.literal()?];
            while self.peek() == Some(&Tok::Comma) {
                self.pos += 1;
                vals.push(self.literal()?);
            }
            if self.peek() != Some(&Tok::RParen) {
                return Err(format!(
                    "Expected ')' to close 'in' but found {}.",
                    self.at()
                ));
            }
            self.pos += 1;
            vals
        } else {
            vec![self.literal()?]
        };
        Ok(Expr::Cmp {
            field,
            op,
            negated,
            values,
        })
    }
    fn literal(&mut self) -> Result<Literal, String> {
        match self.peek().cloned() {
            Some(Tok::Lit(l)) => {
                self.pos += 1;
                Ok(l)
            }
            _ => Err(format!(
                "Expected a value but found {}. {VALUE_HINT}",
                self.at()
            )),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Word(w) => w.clone(),
        Tok::Lit(l) => format!("{l:?}"),
        Tok::Sym(s) => (*s).to_string(),
        Tok::LParen => "(".into(),
        Tok::RParen => ")".into(),
        Tok::Comma => ",".into(),
    }
}

pub fn parse(src: &str) -> Result<Expr, String> {
    let toks = tokenize(src)?;
    if toks.is_empty() {
        return Err("The conditions are empty.".to_string());
    }
    let mut p = Parser { toks, pos: 0 };
    let e = p.or_expr()?;
    if p.pos < p.toks.len() {
        return Err(format!(
            "Unexpected {} (expected 'and', 'or' or the end).",
            p.at()
        ));
    }
    Ok(e)
}

// ---- evaluation --------------------------------------------------------------------------------

/// Accepts `2025-01-01T00:00:00Z`, other RFC 3339 offsets, a missing zone (read as UTC) and a bare
/// date (read leniently, as the reference advises for odd fixtures).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Some(d.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// The values a path reaches; arrays fan out (`types/name` gives every type's name), and a missing
/// key or a null reference gives null.
pub fn resolve<'a>(v: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut cur = vec![v];
    for seg in path.split('/') {
        let mut next = Vec::new();
        for c in cur {
            match c {
                Value::Object(m) => next.push(m.get(seg).unwrap_or(&Value::Null)),
                Value::Array(items) => {
                    for item in items {
                        next.push(item.get(seg).unwrap_or(&Value::Null));
                    }
                }
                _ => next.push(&Value::Null),
            }
        }
        cur = next;
    }
    cur.into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .collect()
}

pub fn eval(expr: &Expr, entity: &Value) -> bool {
    match expr {
        Expr::And(a, b) => eval(a, entity) && eval(b, entity),
        Expr::Or(a, b) => eval(a, entity) || eval(b, entity),
        Expr::Cmp {
            field,
            op,
            negated,
            values,
        } => resolve(entity, field)
            .into_iter()
            .any(|v| values.iter().any(|lit| matches(v, *op, *negated, lit))),
    }
}

fn matches(v: &Value, op: Op, negated: bool, lit: &Literal) -> bool {
    if *lit == Literal::Null {
        return match op {
            Op::Ne => !v.is_null(),
            _ => v.is_null() != negated,
        };
    }
    if v.is_null() {
        return false; // SQL: a comparison with NULL is never true
    }
    let ord = compare(v, lit);
    let positive = match op {
        Op::Eq | Op::In => ord == Some(std::cmp::Ordering::Equal),
        Op::Ne => return ord.is_some_and(|o| o != std::cmp::Ordering::Equal),
        Op::Lt => ord == Some(std::cmp::Ordering::Less),
        Op::Le => ord.is_some_and(|o| o != std::cmp::Ordering::Greater),
        Op::Gt => ord == Some(std::cmp::Ordering::Greater),
        Op::Ge => ord.is_some_and(|o| o != std::cmp::Ordering::Less),
        Op::Contains => match (v, lit) {
            (Value::String(s), Literal::Str(p)) => s.to_lowercase().contains(&p.to_lowercase()),
            _ => false,
        },
        Op::Like => match (v, lit) {
            (Value::String(s), Literal::Str(p)) => like(&s.to_lowercase(), &p.to_lowercase()),
            _ => false,
        },
    };
    positive != negated
}

fn compare(v: &Value, lit: &Literal) -> Option<std::cmp::Ordering> {
    match (v, lit) {
        (Value::Number(n), Literal::Num(x)) => n.as_f64()?.partial_cmp(x),
        (Value::Bool(b), Literal::Bool(x)) => Some(b.cmp(x)),
        (Value::String(s), Literal::Date(d)) => Some(parse_datetime(s)?.cmp(d)),
        (Value::String(s), Literal::Str(x)) => Some(s.to_lowercase().cmp(&x.to_lowercase())),
        _ => None,
    }
}

#[derive(Debug)]
enum Pat {
    Many,
    One,
    Class(Vec<char>),
    Ch(char),
}

/// SQL Server `LIKE`: `%` (and `*`, per the CW doc) any run, `_` one character, `[abc]` a class —
/// which is how a literal `[` is written (`[[]`).
pub fn like(s: &str, pattern: &str) -> bool {
    let mut pat = Vec::new();
    let pc: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < pc.len() {
        match pc[i] {
            '%' | '*' => pat.push(Pat::Many),
            '_' => pat.push(Pat::One),
            '[' => match pc[i + 1..].iter().skip(1).position(|&c| c == ']') {
                Some(end) => {
                    pat.push(Pat::Class(pc[i + 1..i + 2 + end].to_vec()));
                    i += end + 2;
                }
                None => pat.push(Pat::Ch('[')),
            },
            c => pat.push(Pat::Ch(c)),
        }
        i += 1;
    }
    let sc: Vec<char> = s.chars().collect();
    like_at(&sc, &pat)
}

fn like_at(s: &[char], p: &[Pat]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(Pat::Many) => (0..=s.len()).any(|k| like_at(&s[k..], &p[1..])),
        Some(Pat::One) => !s.is_empty() && like_at(&s[1..], &p[1..]),
        Some(Pat::Class(cs)) => !s.is_empty() && cs.contains(&s[0]) && like_at(&s[1..], &p[1..]),
        Some(Pat::Ch(c)) => s.first() == Some(c) && like_at(&s[1..], &p[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity() -> Value {
        json!({
            "id": 12, "name": "Acme Dental LLC", "deletedFlag": false, "quantity": 37.0,
            "company": {"id": 250, "identifier": "AcmeDental", "name": "Acme Dental LLC"},
            "parentAgreement": null, "agreementStatus": "Active",
            "cancelledDate": null, "effectiveDate": "2024-01-01T00:00:00Z",
            "types": [{"id": 1, "name": "Client"}, {"id": 5, "name": "Partner"}],
            "_info": {"lastUpdated": "2025-03-02T14:11:09Z"},
        })
    }

    fn index() -> FieldIndex {
        let other = json!({"parentAgreement": {"id": 3, "name": "P"}, "cancelledDate": "2025-01-31T00:00:00Z"});
        FieldIndex::from_entities([&entity(), &other])
    }

    #[test]
    fn conditions_evaluate_like_the_server() {
        let cases: &[(&str, bool)] = &[
            ("id=12", true),
            ("id = 13", false),
            ("id != 13", true),
            ("id < 13 and id >= 12", true),
            ("id > 12", false),
            ("id <= 11 or id in (5, 12, 99)", true),
            ("id not in (12)", false),
            ("name = \"acme dental llc\"", true),
            ("name = 'Acme Dental LLC'", true),
            ("name contains \"dental\"", true),
            ("name not contains \"Dental\"", false),
            ("name like \"Acme%\"", true),
            ("name like \"%LLC\"", true),
            ("name like \"A_me*\"", true),
            ("name not like \"Fred%\"", true),
            ("deletedFlag = false", true),
            ("DELETEDFLAG = false", false),
            ("company/id=250 AND agreementStatus=\"Active\"", true),
            ("company/identifier in (\"X\", \"AcmeDental\")", true),
            ("parentAgreement/id = null", true),
            ("parentAgreement/id != 3", false),
            ("cancelledDate = null", true),
            ("cancelledDate != null", false),
            ("(cancelledDate = null or cancelledDate > [2025-01-01T00:00:00Z]) and quantity = 37", true),
            ("effectiveDate <= [2024-01-01T00:00:00Z]", true),
            ("effectiveDate > [2024-01-01]", false),
            ("id = 1 or id = 12 and name = \"x\"", false),
            ("(id = 1 or id = 12) and name like \"acme%\"", true),
            ("quantity = 37.0", true),
            ("quantity > -1", true),
            ("lastUpdated > [2025-01-01T00:00:00Z]", true),
        ];
        let idx = index();
        for (src, want) in cases {
            match compile(src, &idx, Scope::Conditions) {
                Ok(e) => assert_eq!(eval(&e, &entity()), *want, "{src}"),
                Err(msg) if src.starts_with("DELETEDFLAG") => {
                    assert!(msg.contains("Unknown field"))
                }
                Err(msg) => panic!("{src}: {msg}"),
            }
        }
    }

    #[test]
    fn bad_conditions_are_refused_with_the_server_text() {
        let idx = index();
        let cases: &[(&str, &str)] = &[
            ("deletedFlag = 1", "Expected a boolean value, not a numeric"),
            ("name = Acme", "Expected a value"),
            (
                "company/id = \"250\"",
                "Expected a numeric value, not a string",
            ),
            (
                "effectiveDate > \"2024-01-01\"",
                "Expected a datetime value, not a string",
            ),
            ("nosuch = 1", "Unknown field 'nosuch'"),
            ("company/nosuch = 1", "Unknown field"),
            ("company = 250", "is a reference"),
            ("types/name = \"Client\"", "childConditions"),
            ("id = ", "Expected a value"),
            ("(id = 1", "Expected ')'"),
            ("id = 1 id = 2", "Unexpected"),
            ("name = \"open", "Unterminated string"),
            ("effectiveDate > [yesterday]", "Invalid date-time"),
            ("id like \"1%\"", "Expected a numeric value, not a string"),
            ("deletedFlag > true", "not valid"),
            ("id in 1, 2", "Expected '('"),
            ("", "empty"),
            ("id == 1", "Expected a value"),
        ];
        for (src, want) in cases {
            let err = compile(src, &idx, Scope::Conditions).expect_err(src);
            assert!(err.contains(want), "{src}: {err}");
        }
    }

    #[test]
    fn child_conditions_reach_into_arrays() {
        let idx = index();
        let e = compile("types/name = \"Client\"", &idx, Scope::Child).expect("valid");
        assert!(eval(&e, &entity()));
        let e = compile("types/id = 9", &idx, Scope::Child).expect("valid");
        assert!(!eval(&e, &entity()));
    }

    #[test]
    fn like_patterns() {
        assert!(like("a[b", "a[[]b"));
        assert!(like("abc", "%"));
        assert!(!like("abc", "ab"));
        assert!(like("abc", "a%c"));
    }
}
