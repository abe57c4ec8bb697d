-- Issue 12: why a skipped item was not written, as a kind (crate::model::Cause, e.g. `no_line`,
-- `workspace_unmapped`), so the preview and the run page group skipped lines by reason and link
-- each group to the screen that fixes it. NULL for writes and for runs recorded before this.
-- No CHECK: a kind added later must not make older rows or a newer database unreadable.
ALTER TABLE sync_run_items ADD COLUMN cause TEXT;
