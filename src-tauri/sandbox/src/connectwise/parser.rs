//! Tokenizer and recursive-descent parser for the ConnectWise condition language (reference
//! §6.2): field paths with `/`, `= != < <= > >=`, `contains`, `like`, `in (…)` (each with an
//! optional `not`), `and` / `or` (case-insensitive; `and` binds tighter), parentheses, quoted
//! strings (either quote), numbers, `true` / `false` / `null` and `[date-times]`.

use super::conditions::{Expr, Literal, Op, VALUE_HINT};
use super::eval::parse_datetime;

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
