//! What a ticket says: the run, the connector, the affected customers (workspace and PSA company)
//! with each reason, and where to look — built only from the recorded run, never from settings
//! or credentials, so no secret can reach a ticket.

use super::flow::Seen;
use super::{NewTicket, Problem};
use crate::store::runs::{ItemOutcome, RunStatus};

/// ConnectWise's `summary` limit (reference §14.2); Autotask's title limit is read from metadata
/// in the real API and is longer, so one limit serves both.
pub const TITLE_MAX: usize = 100;
/// Customers listed in one ticket or note; the rest are counted.
pub const LIST_MAX: usize = 40;

/// One recorded item of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactItem {
    /// Workspace name (and PSA company name when known).
    pub customer: String,
    pub service: String,
    pub outcome: ItemOutcome,
    pub reason: Option<String>,
}

/// The run just recorded, as the ticket needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFacts {
    pub run_id: i64,
    pub connector_name: String,
    pub status: RunStatus,
    /// Why the whole run failed, when it did.
    pub error: Option<String>,
    pub items: Vec<FactItem>,
}

fn is_failure(o: ItemOutcome) -> bool {
    matches!(o, ItemOutcome::Failed | ItemOutcome::Pending)
}

/// Whether the run has `problem`, has not, or cannot tell.
fn has(problem: Problem, f: &RunFacts) -> Option<bool> {
    match problem {
        Problem::Failed => Some(
            matches!(f.status, RunStatus::Failed | RunStatus::Partial)
                || f.items.iter().any(|i| is_failure(i.outcome)),
        ),
        Problem::Held => {
            let held = f.status == RunStatus::Held
                || f.items.iter().any(|i| i.outcome == ItemOutcome::Held);
            // A run that failed before planning says nothing about held changes.
            if !held && f.status == RunStatus::Failed {
                None
            } else {
                Some(held)
            }
        }
    }
}

/// Cuts `s` to at most `max` characters, ending with `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn title(problem: Problem, f: &RunFacts) -> String {
    let what = match problem {
        Problem::Failed => "Coro billing sync failed",
        Problem::Held => "Coro billing changes held for approval",
    };
    clip(
        &format!(
            "PSA Bridge: {what} (run {}, {})",
            f.run_id, f.connector_name
        ),
        TITLE_MAX,
    )
}

/// The affected customers, one line each.
fn customers(problem: Problem, f: &RunFacts) -> String {
    let hits: Vec<&FactItem> = f
        .items
        .iter()
        .filter(|i| match problem {
            Problem::Failed => is_failure(i.outcome),
            Problem::Held => i.outcome == ItemOutcome::Held,
        })
        .collect();
    let mut out = String::new();
    if hits.is_empty() {
        return out;
    }
    out.push_str(&format!("Affected customers ({}):\n", hits.len()));
    for i in hits.iter().take(LIST_MAX) {
        let reason = i.reason.as_deref().unwrap_or("no reason recorded");
        out.push_str(&format!("- {} / {}: {}\n", i.customer, i.service, reason));
    }
    if hits.len() > LIST_MAX {
        out.push_str(&format!("… and {} more\n", hits.len() - LIST_MAX));
    }
    out
}

fn details(problem: Problem, f: &RunFacts) -> String {
    let mut out = String::new();
    if problem == Problem::Failed {
        if let Some(e) = &f.error {
            out.push_str(&format!("Reason: {e}\n"));
        }
    }
    out.push_str(&customers(problem, f));
    let next = match problem {
        Problem::Failed => format!(
            "See run {} in PSA Bridge (History, or `psa-bridge run show {}`).",
            f.run_id, f.run_id
        ),
        Problem::Held => format!(
            "Review and approve or reject the held changes in PSA Bridge (run {}, or \
             `psa-bridge sync` with --approve-held).",
            f.run_id
        ),
    };
    out.push_str(&next);
    out
}

/// What run `f` says about `problem`: the ticket and note when it has it, the closing note when
/// it has not.
pub fn seen(problem: Problem, f: &RunFacts) -> Seen {
    match has(problem, f) {
        None => Seen::Unknown,
        Some(true) => {
            let headline = match problem {
                Problem::Failed => format!(
                    "Run {} of the Coro billing sync (PSA Bridge, connector \"{}\") {}.",
                    f.run_id,
                    f.connector_name,
                    if f.status == RunStatus::Failed {
                        "failed"
                    } else {
                        "could not write some changes"
                    }
                ),
                Problem::Held => format!(
                    "Run {} of the Coro billing sync (PSA Bridge, connector \"{}\") held changes \
                     for approval: they are not billed until someone approves them.",
                    f.run_id, f.connector_name
                ),
            };
            let body = format!("{headline}\n{}", details(problem, f));
            let again = match problem {
                Problem::Failed => "The problem is still there",
                Problem::Held => "Changes are still held",
            };
            Seen::Present {
                ticket: NewTicket {
                    title: title(problem, f),
                    body,
                },
                note: format!("{again} in run {}.\n{}", f.run_id, details(problem, f)),
            }
        }
        Some(false) => Seen::Absent {
            note: match problem {
                Problem::Failed => format!(
                    "Run {} of the Coro billing sync finished without failures; closing.",
                    f.run_id
                ),
                Problem::Held => format!(
                    "Run {} of the Coro billing sync holds no changes for approval; closing.",
                    f.run_id
                ),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(outcome: ItemOutcome, who: &str) -> FactItem {
        FactItem {
            customer: who.into(),
            service: "Coro EDR".into(),
            outcome,
            reason: Some(format!("reason of {who}")),
        }
    }

    fn facts(status: RunStatus, items: Vec<FactItem>) -> RunFacts {
        RunFacts {
            run_id: 12,
            connector_name: "CW prod".into(),
            status,
            error: None,
            items,
        }
    }

    #[test]
    fn a_partial_run_names_the_failed_customers_and_reasons() {
        let f = facts(
            RunStatus::Partial,
            vec![
                item(ItemOutcome::Applied, "Fine Co"),
                item(ItemOutcome::Failed, "Acme (Acme Dental LLC)"),
                item(ItemOutcome::Held, "Big Co"),
            ],
        );
        let Seen::Present { ticket, note } = seen(Problem::Failed, &f) else {
            panic!("failed is present")
        };
        assert!(ticket.title.contains("run 12"), "{}", ticket.title);
        assert!(
            ticket
                .body
                .contains("- Acme (Acme Dental LLC) / Coro EDR: reason of Acme"),
            "{}",
            ticket.body
        );
        assert!(!ticket.body.contains("Fine Co") && !ticket.body.contains("Big Co"));
        assert!(
            note.contains("run 12") && note.contains("reason of Acme"),
            "{note}"
        );
        let Seen::Present { ticket, .. } = seen(Problem::Held, &f) else {
            panic!("held is present")
        };
        assert!(ticket.body.contains("Big Co") && !ticket.body.contains("Acme"));
    }

    #[test]
    fn a_clean_run_closes_and_a_failed_run_does_not_judge_held_changes() {
        let ok = facts(RunStatus::Succeeded, vec![item(ItemOutcome::Applied, "A")]);
        assert!(matches!(seen(Problem::Failed, &ok), Seen::Absent { .. }));
        assert!(matches!(seen(Problem::Held, &ok), Seen::Absent { .. }));
        let mut failed = facts(RunStatus::Failed, vec![]);
        failed.error = Some("ConnectWise is unreachable".into());
        let Seen::Present { ticket, .. } = seen(Problem::Failed, &failed) else {
            panic!("failed")
        };
        assert!(
            ticket.body.contains("Reason: ConnectWise is unreachable"),
            "{}",
            ticket.body
        );
        assert_eq!(seen(Problem::Held, &failed), Seen::Unknown);
        let pending = facts(RunStatus::Succeeded, vec![item(ItemOutcome::Pending, "P")]);
        assert!(matches!(
            seen(Problem::Failed, &pending),
            Seen::Present { .. }
        ));
    }

    #[test]
    fn titles_fit_the_limit_and_long_lists_are_counted() {
        let mut f = facts(
            RunStatus::Partial,
            (0..LIST_MAX + 5)
                .map(|n| item(ItemOutcome::Failed, &format!("C{n}")))
                .collect(),
        );
        f.connector_name = "x".repeat(300);
        let Seen::Present { ticket, .. } = seen(Problem::Failed, &f) else {
            panic!("failed")
        };
        assert_eq!(ticket.title.chars().count(), TITLE_MAX);
        assert!(ticket.title.ends_with('…'));
        assert!(ticket.body.contains("… and 5 more"), "{}", ticket.body);
        assert_eq!(clip("short", 100), "short");
    }
}
