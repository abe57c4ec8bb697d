//! The mappings CSV: a round trip, every kind of bad row reported by line with nothing to write,
//! the one-to-one rule on the state the file leaves (including a swap), and units.

use super::*;

fn opt(id: i64, name: &str) -> PickOption {
    PickOption {
        id,
        name: name.into(),
        identifier: None,
    }
}

fn ws(id: &str, name: &str, company: Option<PickOption>) -> WorkspaceRow {
    WorkspaceRow {
        workspace_id: id.into(),
        name: name.into(),
        status: "subscription".into(),
        archived: false,
        company,
        stale: false,
        suggestion: None,
    }
}

fn svc(key: &str, product: Option<PickOption>) -> ServiceRow {
    ServiceRow {
        service_key: key.into(),
        name: key.to_uppercase(),
        known: true,
        default_unit: Unit::Device,
        unit: Unit::Device,
        product,
        stale: false,
        suggestion: None,
        in_use: None,
    }
}

fn world() -> (
    Vec<WorkspaceRow>,
    Vec<ServiceRow>,
    Vec<PickOption>,
    Vec<PickOption>,
) {
    let companies = vec![opt(1, "Acme Inc"), opt(2, "Beta LLC"), opt(3, "=Gamma")];
    let products = vec![opt(10, "EDR"), opt(11, "Email")];
    let workspaces = vec![
        ws("wa", "Acme", Some(companies[0].clone())),
        ws("wb", "Beta", None),
        ws("wc", "Gamma", Some(companies[2].clone())),
    ];
    let services = vec![svc("edr", Some(products[0].clone())), svc("email", None)];
    (workspaces, services, companies, products)
}

#[test]
fn export_then_import_changes_nothing_and_names_are_defused() {
    let (w, s, c, p) = world();
    let text = export(&w, &s).unwrap();
    assert!(text.starts_with("\u{feff}kind,coro_id,coro_name,psa_id,psa_name,unit\r\n"));
    assert!(text.contains("workspace,wc,Gamma,3,'=Gamma,"), "{text}");
    assert!(text.contains("service,edr,EDR,10,EDR,device"), "{text}");
    let (ops, report) = plan_import(&text, &w, &s, &c, &p);
    assert!(ops.is_empty() && report.errors.is_empty(), "{report:?}");
    assert_eq!(report.unchanged, 5);
}

#[test]
fn changes_are_previewed_by_line_and_a_swap_is_allowed() {
    let (w, s, c, p) = world();
    // Acme and Gamma swap companies; Beta is mapped; EDR moves to the user unit; email mapped.
    let text = "kind,coro_id,coro_name,psa_id,psa_name,unit\n\
                workspace,wa,,3,,\n\
                workspace,wc,,1,,\n\
                workspace,wb,,2,,\n\
                service,edr,,10,,user\n\
                service,email,,11,,\n";
    let (ops, report) = plan_import(text, &w, &s, &c, &p);
    assert!(report.errors.is_empty(), "{report:?}");
    assert_eq!(ops.len(), 5);
    let lines: Vec<u32> = report.changes.iter().map(|c| c.line).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 6]);
    assert_eq!(
        report.changes[0].message,
        "workspace Acme → company =Gamma (3); was Acme Inc (1)"
    );
    assert_eq!(
        report.changes[2].message,
        "workspace Beta → company Beta LLC (2); unmapped"
    );
    // An empty psa_id unmaps.
    let (ops, report) = plan_import(
        "kind,coro_id,coro_name,psa_id,psa_name,unit\nworkspace,wa,,,,\n",
        &w,
        &s,
        &c,
        &p,
    );
    assert_eq!(ops, vec![Op::UnmapWorkspace("wa".into())]);
    assert_eq!(
        report.changes[0].message,
        "workspace Acme unmapped; was Acme Inc (1)"
    );
}

#[test]
fn every_bad_row_is_reported_by_line_and_nothing_is_written() {
    let (w, s, c, p) = world();
    let text = "kind,coro_id,coro_name,psa_id,psa_name,unit\n\
                workspace,wb,,2,,\n\
                workspace,nope,,1,,\n\
                workspace,wb,,2,,\n\
                workspace,wa,,x,,\n\
                workspace,wc,,99,,\n\
                service,edr,,10,,seat\n\
                thing,edr,,10,,\n\
                workspace,wb,,1,,device\n";
    let (ops, report) = plan_import(text, &w, &s, &c, &p);
    assert!(ops.is_empty());
    let got: Vec<(u32, &str)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    let want_fragments = [
        (3, "not a workspace of this Coro channel"),
        (4, "also on line 2"),
        (5, "is not a number"),
        (6, "company 99 is not a company"),
        (7, "must be device, user, max or empty"),
        (8, "must be workspace or service"),
        (9, "also on line 2"),
    ];
    assert_eq!(got.len(), want_fragments.len(), "{got:?}");
    for ((line, msg), (wl, frag)) in got.iter().zip(want_fragments) {
        assert_eq!(*line, wl, "{got:?}");
        assert!(msg.contains(frag), "line {line}: {msg}");
    }
    // A wrong header stops at line 1.
    let (_, r) = plan_import("a,b\n", &w, &s, &c, &p);
    assert_eq!(r.errors[0].line, 1);
}

#[test]
fn two_rows_on_one_company_are_conflicts_even_with_a_mapping_outside_the_file() {
    let (w, s, c, p) = world();
    // Beta takes Acme's company while Acme (not in the file) keeps it.
    let text = "kind,coro_id,coro_name,psa_id,psa_name,unit\nworkspace,wb,,1,,\n";
    let (ops, report) = plan_import(text, &w, &s, &c, &p);
    assert!(ops.is_empty());
    assert_eq!(report.errors.len(), 1, "{report:?}");
    assert_eq!(report.errors[0].line, 2);
    assert!(
        report.errors[0].message.contains(
            "company 1 would also be mapped to workspace wa (mapped now, not in this file"
        ),
        "{}",
        report.errors[0].message
    );
    // Two rows of the file on one product: both lines named.
    let text =
        "kind,coro_id,coro_name,psa_id,psa_name,unit\nservice,edr,,11,,\nservice,email,,11,,\n";
    let (_, report) = plan_import(text, &w, &s, &c, &p);
    let lines: Vec<u32> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 3], "{report:?}");
}
