//! Evaluation of parsed conditions against JSON entities, with SQL Server semantics: strings
//! compare without regard to case, a null field matches only `= null` / `!= null`-style tests,
//! and `like` understands `%` / `*`, `_` and `[…]` classes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

use super::conditions::{Expr, Literal, Op};

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
