//! CSV export of one run for the History screen: a header and one row per item (RFC 4180:
//! comma-separated, CRLF line ends, fields quoted when they hold a comma, quote or line break,
//! quotes doubled). Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR
//! first) gets a leading `'`: workspace names come from Coro and reasons from PSA answers, and
//! neither should execute in the operator's spreadsheet. Only journal data is exported — no
//! credentials exist in it.

use std::collections::HashMap;

use crate::model::{CompanyRef, ProductRef};
use crate::store::runs::{RunRow, RunWithItems};

pub const HEADER: [&str; 16] = [
    "run_id",
    "workspace_id",
    "workspace",
    "service",
    "company_id",
    "company",
    "product_id",
    "product",
    "line_ref",
    "action",
    "before",
    "after",
    "outcome",
    "reason",
    "request_id",
    "updated_at",
];

/// Display names the journal does not store (from the mappings or the PSA cache). Missing
/// names leave the column empty; the id column is always filled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvNames {
    pub companies: HashMap<CompanyRef, String>,
    pub products: HashMap<ProductRef, String>,
    pub services: HashMap<String, String>,
}

/// A suggested file name, e.g. `psa-bridge-run-42-2025-01-31.csv`.
pub fn file_name(run: &RunRow) -> String {
    format!(
        "psa-bridge-run-{}-{}.csv",
        run.id,
        run.started_at.format("%Y-%m-%d")
    )
}

/// The run as CSV text.
pub fn run_csv(run: &RunWithItems, names: &CsvNames) -> String {
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().map(|h| h.to_string()));
    for it in &run.items {
        let i = &it.item;
        let num = |n: Option<i64>| n.map(|v| v.to_string()).unwrap_or_default();
        let company = i.company_id.and_then(|c| names.companies.get(&c).cloned());
        let product = i.product_id.and_then(|p| names.products.get(&p).cloned());
        let service = names
            .services
            .get(&i.service_key)
            .cloned()
            .unwrap_or_else(|| i.service_key.clone());
        push_row(
            &mut out,
            [
                run.run.id.to_string(),
                text(&i.workspace_id.0),
                text(i.workspace_name.as_deref().unwrap_or_default()),
                text(&service),
                num(i.company_id.map(|c| c.0)),
                text(company.as_deref().unwrap_or_default()),
                num(i.product_id.map(|p| p.0)),
                text(product.as_deref().unwrap_or_default()),
                text(i.line_ref.as_deref().unwrap_or_default()),
                i.action.as_str().to_string(),
                num(i.before_qty),
                num(i.after_qty),
                i.outcome.as_str().to_string(),
                text(i.reason.as_deref().unwrap_or_default()),
                text(it.request_id.as_deref().unwrap_or_default()),
                it.updated_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ],
        );
    }
    out
}

/// Free text, neutralized so a spreadsheet shows it instead of evaluating it.
fn text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn push_row(out: &mut String, fields: impl IntoIterator<Item = String>) {
    for (n, f) in fields.into_iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&quote(&f));
    }
    out.push_str("\r\n");
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) || field.starts_with(' ') || field.ends_with(' ') {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConnectorId, WorkspaceId};
    use crate::store::runs::{
        ItemAction, ItemOutcome, NewItem, RunItem, RunStatus, RunTotals, RunTrigger,
    };
    use chrono::{TimeZone, Utc};

    #[test]
    fn fields_are_quoted_and_neutralized() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\rhere", "\"cr\rhere\""),
            (" padded", "\" padded\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+1", "'+1"),
            ("-cmd", "'-cmd"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tTab", "'\tTab"),
            ("Müller & Söhne", "Müller & Söhne"),
        ];
        for (input, expect) in cases {
            assert_eq!(quote(&text(input)), expect, "input {input:?}");
        }
    }

    fn item(action: ItemAction, outcome: ItemOutcome, reason: Option<&str>) -> NewItem {
        NewItem {
            workspace_id: WorkspaceId("ws_1".into()),
            workspace_name: Some("Acme, Inc.".into()),
            service_key: "edr".into(),
            company_id: Some(CompanyRef(7)),
            product_id: Some(ProductRef(11)),
            line_ref: Some("agreement 1 / addition 2".into()),
            action,
            before_qty: Some(10),
            after_qty: Some(12),
            outcome,
            reason: reason.map(str::to_string),
            cause: None,
        }
    }

    #[test]
    fn a_run_exports_header_and_one_row_per_item() {
        let at = Utc.with_ymd_and_hms(2025, 1, 31, 6, 0, 0).unwrap();
        let run = RunRow {
            id: 42,
            connector_id: ConnectorId(1),
            trigger: RunTrigger::Schedule,
            dry_run: false,
            status: RunStatus::Partial,
            started_at: at,
            finished_at: Some(at),
            totals: RunTotals::default(),
            error: None,
        };
        let items = vec![
            RunItem {
                id: 1,
                run_id: 42,
                item: item(ItemAction::Increase, ItemOutcome::Applied, None),
                request_id: Some("req-9".into()),
                updated_at: at,
            },
            RunItem {
                id: 2,
                run_id: 42,
                item: NewItem {
                    before_qty: None,
                    after_qty: None,
                    company_id: None,
                    product_id: None,
                    line_ref: None,
                    ..item(
                        ItemAction::Skip,
                        ItemOutcome::Skipped,
                        Some("2 lines bill 'EDR': 'A', 'B'"),
                    )
                },
                request_id: None,
                updated_at: at,
            },
        ];
        let names = CsvNames {
            companies: HashMap::from([(CompanyRef(7), "Acme Inc".to_string())]),
            products: HashMap::new(),
            services: HashMap::from([("edr".to_string(), "EDR".to_string())]),
        };
        let csv = run_csv(
            &RunWithItems {
                run: run.clone(),
                items,
            },
            &names,
        );
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "{csv}");
        assert_eq!(lines[0], HEADER.join(","));
        let applied = [
            "42",
            "ws_1",
            "\"Acme, Inc.\"",
            "EDR",
            "7",
            "Acme Inc",
            "11",
            "",
            "agreement 1 / addition 2",
            "increase",
            "10",
            "12",
            "applied",
            "",
            "req-9",
            "2025-01-31T06:00:00Z",
        ];
        assert_eq!(lines[1], applied.join(","));
        let skipped = [
            "42",
            "ws_1",
            "\"Acme, Inc.\"",
            "EDR",
            "",
            "",
            "",
            "",
            "",
            "skip",
            "",
            "",
            "skipped",
            "\"2 lines bill 'EDR': 'A', 'B'\"",
            "",
            "2025-01-31T06:00:00Z",
        ];
        assert_eq!(lines[2], skipped.join(","));
        assert_eq!(lines[3], "");
        assert_eq!(file_name(&run), "psa-bridge-run-42-2025-01-31.csv");
    }
}
