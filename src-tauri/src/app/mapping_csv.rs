//! Mappings as CSV, for 500 customers at a time: export every Coro workspace and service of a
//! connector with its PSA company / product (empty when unmapped), edit it in a spreadsheet,
//! import it back. An import is checked whole first — every row, then the one-to-one rules on
//! the state it would leave — and writes nothing unless every row is valid; the report numbers
//! the file's lines and says what each changing row does. Pure (the I/O is in
//! [`super::mapping_import`]).
//!
//! Columns: `kind` (`workspace` | `service`), `coro_id`, `coro_name`, `psa_id` (empty: unmapped),
//! `psa_name`, `unit` (services: `device` | `user` | `max` | empty for the service's own). The names are
//! for the reader and ignored on import.

use std::collections::HashMap;

use serde::Serialize;
use ts_rs::TS;

use crate::model::Unit;
use crate::views::{PickOption, ServiceRow, WorkspaceRow};

pub const HEADER: [&str; 6] = ["kind", "coro_id", "coro_name", "psa_id", "psa_name", "unit"];

/// One numbered line of an import report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ImportLine {
    pub line: u32,
    pub message: String,
}

/// What an import did (or, dry or refused, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ImportReport {
    /// True only when the changes were written.
    pub applied: bool,
    pub changes: Vec<ImportLine>,
    pub unchanged: u32,
    /// Why nothing was written: every invalid row, by line.
    pub errors: Vec<ImportLine>,
}

/// One write of a valid import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    MapWorkspace {
        workspace_id: String,
        workspace_name: String,
        company: PickOption,
    },
    UnmapWorkspace(String),
    MapService {
        service_key: String,
        product: PickOption,
        unit: Option<Unit>,
    },
    UnmapService(String),
}

/// Text a spreadsheet would run as a formula gets a leading `'` (names come from Coro and the PSA).
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// The CSV of every workspace and service row (UTF-8 with a byte-order mark, for Excel).
pub fn export(workspaces: &[WorkspaceRow], services: &[ServiceRow]) -> Result<String, String> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let err = |e: csv::Error| format!("could not write the CSV: {e}");
    w.write_record(HEADER).map_err(err)?;
    for r in workspaces {
        let (id, name) = r
            .company
            .as_ref()
            .map(|c| (c.id.to_string(), cell(&c.name)))
            .unwrap_or_default();
        w.write_record(["workspace", &r.workspace_id, &cell(&r.name), &id, &name, ""])
            .map_err(err)?;
    }
    for r in services {
        let (id, name) = r
            .product
            .as_ref()
            .map(|p| (p.id.to_string(), cell(&p.name)))
            .unwrap_or_default();
        let unit = if r.product.is_some() {
            r.unit.as_str()
        } else {
            ""
        };
        w.write_record(["service", &r.service_key, &cell(&r.name), &id, &name, unit])
            .map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

/// What the rows of the file ask for, per side, before the one-to-one check.
struct Wanted<'a> {
    line: u32,
    coro_id: String,
    target: Option<&'a PickOption>,
    unit: Option<Unit>,
}

/// Checks `text` against the connector's rows and PSA lists: the writes to make (empty when
/// there is any error) and the report (not yet applied).
pub fn plan_import(
    text: &str,
    workspaces: &[WorkspaceRow],
    services: &[ServiceRow],
    companies: &[PickOption],
    products: &[PickOption],
) -> (Vec<Op>, ImportReport) {
    let mut report = ImportReport {
        applied: false,
        changes: Vec::new(),
        unchanged: 0,
        errors: Vec::new(),
    };
    let mut fail = |line: u32, message: String| report.errors.push(ImportLine { line, message });
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let company_by_id: HashMap<i64, &PickOption> = companies.iter().map(|c| (c.id, c)).collect();
    let product_by_id: HashMap<i64, &PickOption> = products.iter().map(|p| (p.id, p)).collect();
    let ws_by_id: HashMap<&str, &WorkspaceRow> = workspaces
        .iter()
        .map(|w| (w.workspace_id.as_str(), w))
        .collect();
    let svc_by_key: HashMap<&str, &ServiceRow> = services
        .iter()
        .map(|s| (s.service_key.as_str(), s))
        .collect();
    let (mut ws_rows, mut svc_rows): (Vec<Wanted>, Vec<Wanted>) = (Vec::new(), Vec::new());
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u32 + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                fail(line, format!("not readable as CSV: {e}"));
                continue;
            }
        };
        let col = |n: usize| record.get(n).unwrap_or("").to_string();
        if line == 1 {
            let header: Vec<String> = record.iter().map(str::to_ascii_lowercase).collect();
            if header != HEADER {
                fail(1, format!("the header must be {}", HEADER.join(",")));
                break;
            }
            continue;
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        let (kind, coro_id, psa_id, unit) = (col(0).to_ascii_lowercase(), col(1), col(3), col(5));
        let first = *seen.entry((kind.clone(), coro_id.clone())).or_insert(line);
        if first != line {
            fail(
                line,
                format!("{kind} {coro_id} is also on line {first}; keep one row for it"),
            );
            continue;
        }
        let id = match psa_id.as_str() {
            "" => None,
            t => match t.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    fail(
                        line,
                        format!("psa_id {t:?} is not a number (leave it empty to unmap)"),
                    );
                    continue;
                }
            },
        };
        match kind.as_str() {
            "workspace" => {
                if !ws_by_id.contains_key(coro_id.as_str()) {
                    fail(
                        line,
                        format!("workspace {coro_id} is not a workspace of this Coro channel"),
                    );
                    continue;
                }
                if !unit.is_empty() {
                    fail(line, "a workspace has no unit; leave the unit empty".into());
                    continue;
                }
                let target = match id {
                    None => None,
                    Some(n) => match company_by_id.get(&n) {
                        Some(c) => Some(*c),
                        None => {
                            fail(line, format!("company {n} is not a company of this PSA connector (refresh the company list if it is new)"));
                            continue;
                        }
                    },
                };
                ws_rows.push(Wanted {
                    line,
                    coro_id,
                    target,
                    unit: None,
                });
            }
            "service" => {
                if !svc_by_key.contains_key(coro_id.as_str()) {
                    fail(line, format!("service {coro_id} is not a Coro service"));
                    continue;
                }
                let unit = match unit.to_ascii_lowercase().as_str() {
                    "" => None,
                    "device" => Some(Unit::Device),
                    "user" => Some(Unit::User),
                    "max" => Some(Unit::Max),
                    other => {
                        fail(
                            line,
                            format!("unit {other:?} must be device, user, max or empty"),
                        );
                        continue;
                    }
                };
                let target = match id {
                    None => None,
                    Some(n) => match product_by_id.get(&n) {
                        Some(p) => Some(*p),
                        None => {
                            fail(line, format!("product {n} is not a product of this PSA connector (refresh the product list if it is new)"));
                            continue;
                        }
                    },
                };
                svc_rows.push(Wanted {
                    line,
                    coro_id,
                    target,
                    unit,
                });
            }
            other => fail(line, format!("kind {other:?} must be workspace or service")),
        }
    }
    // One-to-one on the state the file would leave.
    let current_ws: Vec<(&str, Option<i64>)> = workspaces
        .iter()
        .map(|w| (w.workspace_id.as_str(), w.company.as_ref().map(|c| c.id)))
        .collect();
    one_to_one(&current_ws, &ws_rows, "company", "workspace", &mut fail);
    let current_svc: Vec<(&str, Option<i64>)> = services
        .iter()
        .map(|s| (s.service_key.as_str(), s.product.as_ref().map(|p| p.id)))
        .collect();
    one_to_one(&current_svc, &svc_rows, "product", "service", &mut fail);
    if !report.errors.is_empty() {
        report.errors.sort_by_key(|e| e.line);
        return (Vec::new(), report);
    }
    let mut ops = Vec::new();
    for w in &ws_rows {
        let row = ws_by_id[w.coro_id.as_str()];
        let was = row.company.as_ref();
        if was.map(|c| c.id) == w.target.map(|c| c.id) {
            report.unchanged += 1;
            continue;
        }
        let from = was.map_or("unmapped".to_string(), |c| {
            format!("was {} ({})", c.name, c.id)
        });
        let message = match w.target {
            Some(c) => {
                ops.push(Op::MapWorkspace {
                    workspace_id: w.coro_id.clone(),
                    workspace_name: row.name.clone(),
                    company: c.clone(),
                });
                format!(
                    "workspace {} → company {} ({}); {from}",
                    row.name, c.name, c.id
                )
            }
            None => {
                ops.push(Op::UnmapWorkspace(w.coro_id.clone()));
                format!("workspace {} unmapped; {from}", row.name)
            }
        };
        report.changes.push(ImportLine {
            line: w.line,
            message,
        });
    }
    for s in &svc_rows {
        let row = svc_by_key[s.coro_id.as_str()];
        let was = row.product.as_ref();
        let unit_now = was.map(|_| row.unit);
        let unit_then = s.target.map(|_| s.unit.unwrap_or(row.default_unit));
        if was.map(|p| p.id) == s.target.map(|p| p.id) && unit_now == unit_then {
            report.unchanged += 1;
            continue;
        }
        let message = match s.target {
            Some(p) => {
                ops.push(Op::MapService {
                    service_key: s.coro_id.clone(),
                    product: p.clone(),
                    unit: s.unit,
                });
                format!("service {} → product {} ({})", row.name, p.name, p.id)
            }
            None => {
                ops.push(Op::UnmapService(s.coro_id.clone()));
                format!("service {} unmapped", row.name)
            }
        };
        report.changes.push(ImportLine {
            line: s.line,
            message,
        });
    }
    (ops, report)
}

/// Refuses two Coro rows on one PSA company / product once the file is applied.
fn one_to_one(
    current: &[(&str, Option<i64>)],
    rows: &[Wanted],
    target: &str,
    source: &str,
    fail: &mut impl FnMut(u32, String),
) {
    let by_coro: HashMap<&str, &Wanted> = rows.iter().map(|w| (w.coro_id.as_str(), w)).collect();
    let mut holders: HashMap<i64, Vec<(&str, Option<u32>)>> = HashMap::new();
    for (coro, now) in current {
        let (then, line) = match by_coro.get(coro) {
            Some(w) => (w.target.map(|t| t.id), Some(w.line)),
            None => (*now, None),
        };
        if let Some(t) = then {
            holders.entry(t).or_default().push((coro, line));
        }
    }
    for (t, held) in holders.into_iter().filter(|(_, h)| h.len() > 1) {
        for (coro, line) in &held {
            let Some(line) = line else { continue };
            let others: Vec<String> = held
                .iter()
                .filter(|(c, _)| c != coro)
                .map(|(c, l)| match l {
                    Some(l) => format!("{source} {c} (line {l})"),
                    None => {
                        format!("{source} {c} (mapped now, not in this file: unmap it there too)")
                    }
                })
                .collect();
            fail(
                *line,
                format!("{target} {t} would also be mapped to {}", others.join(", ")),
            );
        }
    }
}

#[cfg(test)]
#[path = "mapping_csv_tests.rs"]
mod tests;
