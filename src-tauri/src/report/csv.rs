//! The report as one CSV table (UTF-8 with a byte-order mark so Excel reads names right): one row
//! per report row, unbilled workspace × service, orphan line and skipped line, told apart by the
//! `section` column. Text a spreadsheet would run as a formula gets a leading `'` (names come
//! from Coro and the PSA). Money as plain decimals (`12.34`).

use super::model::{money, Report};

pub const HEADER: [&str; 17] = [
    "connector_id",
    "section",
    "workspace_id",
    "workspace",
    "company_id",
    "company",
    "service_key",
    "service",
    "product_id",
    "product",
    "line_ref",
    "coro_count",
    "psa_quantity",
    "difference",
    "unit_price",
    "monthly_value",
    "reason",
];

/// Neutralises spreadsheet formulas.
fn text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn cents(n: Option<i64>) -> String {
    n.map(money).unwrap_or_default()
}

/// The report as CSV text (with a leading byte-order mark).
pub fn report_csv(report: &Report) -> Result<String, csv::Error> {
    let mut inner = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    inner.write_record(HEADER)?;
    let id = report.connector_id.0.to_string();
    let mut w = Prefixed {
        w: &mut inner,
        id: &id,
    };
    for r in &report.rows {
        w.write_record([
            "row".to_string(),
            text(&r.workspace_id.0),
            text(&r.workspace_name),
            r.company_id.0.to_string(),
            text(&r.company_name),
            text(&r.service_key),
            text(&r.service_name),
            r.product_id.0.to_string(),
            text(&r.product_name),
            text(&r.line_ref),
            r.coro_count.to_string(),
            r.psa_quantity.to_string(),
            r.difference.to_string(),
            cents(r.unit_price_cents),
            cents(r.monthly_value_cents),
            String::new(),
        ])?;
    }
    for u in &report.unbilled {
        for c in &u.counts {
            w.write_record([
                "unbilled".to_string(),
                text(&u.workspace_id.0),
                text(&u.workspace_name),
                String::new(),
                String::new(),
                text(&c.service_key),
                text(&c.service_name),
                String::new(),
                String::new(),
                String::new(),
                c.count.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                text(u.note.as_deref().unwrap_or_default()),
            ])?;
        }
    }
    for o in &report.orphans {
        w.write_record([
            "orphan".to_string(),
            String::new(),
            String::new(),
            o.company_id.0.to_string(),
            text(&o.company_name),
            String::new(),
            String::new(),
            o.product_id.0.to_string(),
            text(&o.product_name),
            text(&o.line_ref),
            String::new(),
            o.quantity.to_string(),
            String::new(),
            cents(o.unit_price_cents),
            cents(o.monthly_value_cents),
            text(&o.line_name),
        ])?;
    }
    for g in &report.skipped {
        for s in &g.lines {
            w.write_record([
                format!("skipped:{}", serde_plain(&g.kind)),
                text(&s.workspace_id.0),
                text(&s.workspace_name),
                String::new(),
                text(s.company_name.as_deref().unwrap_or_default()),
                text(&s.service_key),
                text(&s.service_name),
                String::new(),
                text(s.product_name.as_deref().unwrap_or_default()),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                text(&s.reason),
            ])?;
        }
    }
    let bytes = inner
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

/// Writes each record after the connector id.
struct Prefixed<'a> {
    w: &'a mut csv::Writer<Vec<u8>>,
    id: &'a str,
}

impl Prefixed<'_> {
    fn write_record<const N: usize>(&mut self, fields: [String; N]) -> Result<(), csv::Error> {
        self.w
            .write_record(std::iter::once(self.id.to_string()).chain(fields))
    }
}

/// The snake_case name serde gives a unit enum variant (`no_line`).
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A suggested file name, e.g. `psa-bridge-reconcile-1-2025-01-31.csv`.
pub fn file_name(report: &Report) -> String {
    format!(
        "psa-bridge-reconcile-{}-{}.csv",
        report.connector_id.0,
        report.read_at.format("%Y-%m-%d")
    )
}
