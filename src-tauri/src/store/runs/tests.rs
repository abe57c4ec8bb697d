//! Tests of the run journal.

use super::*;
use crate::model::PsaKind;
use crate::store::testing::{at, temp_store};
use crate::store::{connectors, StoreError};
use serde_json::json;

fn item(ws: &str, service: &str, action: ItemAction, before: i64, after: i64) -> NewItem {
    NewItem {
        workspace_id: WorkspaceId(ws.into()),
        workspace_name: Some(format!("{ws} name")),
        service_key: service.into(),
        company_id: Some(CompanyRef(7)),
        product_id: Some(ProductRef(11)),
        line_ref: None,
        action,
        before_qty: Some(before),
        after_qty: Some(after),
        outcome: match action {
            ItemAction::Skip => ItemOutcome::Skipped,
            ItemAction::Hold => ItemOutcome::Held,
            _ => ItemOutcome::Planned,
        },
        reason: None,
        cause: None,
    }
}

fn update(outcome: ItemOutcome) -> OutcomeUpdate<'static> {
    OutcomeUpdate {
        outcome,
        reason: None,
        request_id: None,
        line_ref: None,
    }
}

#[test]
fn journal_round_trip() {
    let t = temp_store();
    let conn = t.store.conn().unwrap();
    let c = connectors::insert(&conn, PsaKind::Connectwise, "CW", &json!({}), at(0)).unwrap();
    let run = create(&conn, c, RunTrigger::Tray, false, at(0)).unwrap();
    let planned = vec![
        item("ws_a", "edr", ItemAction::Increase, 10, 12),
        item("ws_a", "email", ItemAction::Decrease, 5, 4),
        item("ws_b", "edr", ItemAction::Unchanged, 3, 3),
        NewItem {
            cause: Some(Cause::NoLine),
            ..item("ws_c", "edr", ItemAction::Skip, 1, 1)
        },
        item("ws_d", "edr", ItemAction::Hold, 100, 2),
    ];
    let ids = add_items(&conn, run, &planned, at(1)).unwrap();
    assert_eq!(ids.len(), 5);
    let causes: Vec<Option<Cause>> = items(&conn, run)
        .unwrap()
        .into_iter()
        .map(|i| i.item.cause)
        .collect();
    assert_eq!(causes, vec![None, None, None, Some(Cause::NoLine), None]);
    // A kind a newer build wrote reads as none rather than failing the whole run.
    conn.execute(
        "UPDATE sync_run_items SET cause = 'from_the_future' WHERE id = ?1",
        [ids[3]],
    )
    .unwrap();
    assert_eq!(items(&conn, run).unwrap()[3].item.cause, None);

    set_item_outcome(&conn, ids[0], &update(ItemOutcome::Pending), at(2)).unwrap();
    let applied = OutcomeUpdate {
        outcome: ItemOutcome::Applied,
        reason: None,
        request_id: Some("req-1"),
        line_ref: Some("add-77"),
    };
    set_item_outcome(&conn, ids[0], &applied, at(3)).unwrap();
    let failed = OutcomeUpdate {
        outcome: ItemOutcome::Failed,
        reason: Some("HTTP 400: addition is cancelled"),
        request_id: Some("req-2"),
        line_ref: None,
    };
    set_item_outcome(&conn, ids[1], &failed, at(3)).unwrap();

    let row = finish(&conn, run, RunStatus::Partial, None, at(4)).unwrap();
    assert_eq!(
        row.totals,
        RunTotals {
            planned: 2,
            applied: 1,
            failed: 1,
            skipped: 1,
            held: 1
        }
    );
    assert_eq!(
        (row.status, row.finished_at, row.trigger, row.dry_run),
        (RunStatus::Partial, Some(at(4)), RunTrigger::Tray, false)
    );
    assert_eq!(row.summary(), "1 applied, 1 failed, 1 held, 1 skipped");
    assert_eq!(row.last_sync().outcome, "partial");

    let full = get_with_items(&conn, run).unwrap().unwrap();
    assert_eq!(full.run, row);
    assert_eq!(full.items.len(), 5);
    let first = &full.items[0];
    assert_eq!(
        (
            first.item.outcome,
            first.request_id.as_deref(),
            first.item.line_ref.as_deref()
        ),
        (ItemOutcome::Applied, Some("req-1"), Some("add-77"))
    );
    assert_eq!(first.updated_at, at(3));
    assert_eq!(
        full.items[1].item.reason.as_deref(),
        Some("HTTP 400: addition is cancelled")
    );
    assert_eq!(full.items[2].item, planned[2]);

    // A finished run takes no more items and cannot be finished again.
    assert!(matches!(
        add_items(&conn, run, &planned, at(5)),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        finish(&conn, run, RunStatus::Failed, None, at(5)),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        finish(&conn, run, RunStatus::Running, None, at(5)),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        set_item_outcome(&conn, 9999, &update(ItemOutcome::Applied), at(5)),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        create(&conn, ConnectorId(999), RunTrigger::Ui, true, at(0)),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn list_pages_newest_first_and_latest_skips_dry_runs() {
    let t = temp_store();
    let conn = t.store.conn().unwrap();
    let a = connectors::insert(&conn, PsaKind::Connectwise, "A", &json!({}), at(0)).unwrap();
    let b = connectors::insert(&conn, PsaKind::Autotask, "B", &json!({}), at(0)).unwrap();
    let r1 = create(&conn, a, RunTrigger::Schedule, false, at(1)).unwrap();
    finish(&conn, r1, RunStatus::Succeeded, None, at(2)).unwrap();
    let r2 = create(&conn, b, RunTrigger::Cli, false, at(3)).unwrap();
    let r3 = create(&conn, a, RunTrigger::Ui, true, at(4)).unwrap();
    finish(&conn, r3, RunStatus::Succeeded, None, at(5)).unwrap();

    let ids = |rows: Vec<RunRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(list(&conn, None, None, 10).unwrap()), vec![r3, r2, r1]);
    assert_eq!(ids(list(&conn, Some(a), None, 10).unwrap()), vec![r3, r1]);
    assert_eq!(ids(list(&conn, None, None, 2).unwrap()), vec![r3, r2]);
    assert_eq!(ids(list(&conn, None, Some(r2), 2).unwrap()), vec![r1]);
    assert_eq!(latest(&conn, a, false).unwrap().map(|r| r.id), Some(r1));
    assert_eq!(latest(&conn, a, true).unwrap().map(|r| r.id), Some(r3));
    let dry = get(&conn, r3).unwrap().unwrap();
    assert_eq!(dry.summary(), "Dry run: 0 change(s) planned");
    assert_eq!(
        get(&conn, r1).unwrap().unwrap().summary(),
        "No changes needed"
    );
    assert_eq!(ids(running(&conn).unwrap()), vec![r2]);
}

#[test]
fn interrupted_runs_are_found_and_closed() {
    let t = temp_store();
    let conn = t.store.conn().unwrap();
    let c = connectors::insert(&conn, PsaKind::Connectwise, "CW", &json!({}), at(0)).unwrap();
    let run = create(&conn, c, RunTrigger::Schedule, false, at(0)).unwrap();
    let ids = add_items(
        &conn,
        run,
        &[item("ws", "edr", ItemAction::Increase, 1, 2)],
        at(0),
    )
    .unwrap();
    set_item_outcome(&conn, ids[0], &update(ItemOutcome::Pending), at(1)).unwrap();
    drop(conn);

    // Next start: a fresh connection finds and closes it.
    let conn = t.store.conn().unwrap();
    assert_eq!(mark_interrupted(&conn, at(10)).unwrap(), vec![run]);
    let row = get(&conn, run).unwrap().unwrap();
    assert_eq!(
        (row.status, row.finished_at),
        (RunStatus::Interrupted, Some(at(10)))
    );
    let err = row.error.clone().unwrap_or_default();
    assert!(
        err.contains("1 change(s) may or may not have been applied"),
        "{err}"
    );
    assert_eq!(row.summary(), err);
    assert_eq!(
        items(&conn, run).unwrap()[0].item.outcome,
        ItemOutcome::Pending
    );
    assert!(mark_interrupted(&conn, at(11)).unwrap().is_empty());
}

#[test]
fn deleting_a_connector_or_run_cascades() {
    let t = temp_store();
    let conn = t.store.conn().unwrap();
    let c = connectors::insert(&conn, PsaKind::Connectwise, "CW", &json!({}), at(0)).unwrap();
    let run = create(&conn, c, RunTrigger::Ui, false, at(0)).unwrap();
    add_items(
        &conn,
        run,
        &[item("ws", "edr", ItemAction::Increase, 1, 2)],
        at(0),
    )
    .unwrap();
    connectors::delete(&conn, c).unwrap();
    let left: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM sync_runs) + (SELECT count(*) FROM sync_run_items)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn enums_round_trip_through_text() {
    for s in [
        RunStatus::Running,
        RunStatus::Succeeded,
        RunStatus::Partial,
        RunStatus::Failed,
        RunStatus::Held,
        RunStatus::Interrupted,
    ] {
        assert_eq!(RunStatus::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
    }
    for a in [
        ItemAction::Unchanged,
        ItemAction::Increase,
        ItemAction::Decrease,
        ItemAction::Skip,
        ItemAction::Hold,
    ] {
        assert_eq!(ItemAction::parse(a.as_str()), Some(a));
    }
    for o in [
        ItemOutcome::Planned,
        ItemOutcome::Pending,
        ItemOutcome::Applied,
        ItemOutcome::Failed,
        ItemOutcome::Skipped,
        ItemOutcome::Held,
    ] {
        assert_eq!(ItemOutcome::parse(o.as_str()), Some(o));
    }
    for t in [
        RunTrigger::Schedule,
        RunTrigger::Tray,
        RunTrigger::Ui,
        RunTrigger::Cli,
    ] {
        assert_eq!(RunTrigger::parse(t.as_str()), Some(t));
        assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
    }
}
