// Mapping at scale on the workspace screen: accept every suggestion of the filtered rows (with the
// count and one confirmation), unmap the filtered rows, export the mappings as CSV, and import a
// CSV after a preview of what it changes (a refused file lists its bad lines; nothing is written).
import { OpenFolder } from '../../components/OpenFolder';
import { useRef, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Modal } from '../../components/Modal';
import { bulkMapWorkspaces, exportMappings, importMappings, toApiError } from '../../ipc';
import type { ImportReport, WorkspaceChange, WorkspaceRow } from '../../ipc/types';
import { useReportError } from '../../report';
import { acceptable, unmappable } from './bulk';

type Props = {
  connectorId: ConnectorId;
  /** The rows the filter shows: bulk actions apply to these only. */
  shown: readonly WorkspaceRow[];
  filtered: boolean;
  onRows: (rows: WorkspaceRow[]) => void;
  onImported: () => void;
};

type Confirm = { title: string; label: string; text: string; changes: WorkspaceChange[] };

export function BulkTools({ connectorId, shown, filtered, onRows, onImported }: Props) {
  const report = useReportError();
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [busy, setBusy] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const [importing, setImporting] = useState<{ text: string; report: ImportReport } | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const accept = acceptable(shown);
  const unmap = unmappable(shown);

  const run = (changes: WorkspaceChange[]) => {
    setConfirm(null);
    setBusy(true);
    bulkMapWorkspaces(connectorId, changes)
      .then(onRows, report)
      .finally(() => setBusy(false));
  };
  const exportCsv = () => {
    setBusy(true);
    exportMappings(connectorId)
      .then(setExported, report)
      .finally(() => setBusy(false));
  };
  const chosen = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const f = input.files?.[0];
    input.value = '';
    if (!f) return;
    setBusy(true);
    f.text()
      .then((text) => importMappings(connectorId, text, true).then((r) => setImporting({ text, report: r })))
      .catch(report)
      .finally(() => setBusy(false));
  };

  return (
    <div class="bulk-tools" data-testid="bulk-tools">
      <button
        type="button"
        class="button"
        disabled={busy || accept.length === 0}
        onClick={() =>
          setConfirm({
            title: `Accept ${accept.length} suggestion(s)?`,
            label: `Map ${accept.length} workspace(s)`,
            text: `Each of the ${accept.length} ${filtered ? 'shown ' : ''}unmapped workspace(s) with a suggestion is mapped to its suggested company.`,
            changes: accept,
          })
        }
        data-testid="accept-all-suggestions"
      >
        Accept {accept.length} suggestion(s)
      </button>
      {filtered && unmap.length > 0 && (
        <button
          type="button"
          class="button"
          disabled={busy}
          onClick={() =>
            setConfirm({
              title: `Unmap ${unmap.length} workspace(s)?`,
              label: `Unmap ${unmap.length}`,
              text: `The ${unmap.length} shown workspace(s) stop being billed until they are mapped again.`,
              changes: unmap,
            })
          }
          data-testid="bulk-unmap"
        >
          Unmap {unmap.length} shown
        </button>
      )}
      <span class="toolbar__spacer" />
      <button type="button" class="button" disabled={busy} onClick={exportCsv} data-testid="mappings-export">
        Export CSV
      </button>
      <button type="button" class="button" disabled={busy} onClick={() => file.current?.click()} data-testid="mappings-import">
        Import CSV
      </button>
      <input ref={file} type="file" accept=".csv,text/csv" class="visually-hidden" onChange={chosen} data-testid="mappings-import-file" />
      {exported && (
        <p class="export__result" role="status">
          Saved to <code class="path" data-testid="mappings-export-path">{exported}</code>
          <OpenFolder which="exports" testId="mappings-export-open" />
        </p>
      )}
      {confirm && (
        <ConfirmDialog title={confirm.title} confirmLabel={confirm.label} onConfirm={() => run(confirm.changes)} onCancel={() => setConfirm(null)}>
          <p>{confirm.text}</p>
        </ConfirmDialog>
      )}
      {importing && (
        <ImportDialog
          connectorId={connectorId}
          text={importing.text}
          preview={importing.report}
          onClose={() => setImporting(null)}
          onDone={() => {
            setImporting(null);
            onImported();
          }}
        />
      )}
    </div>
  );
}

type ImportProps = { connectorId: ConnectorId; text: string; preview: ImportReport; onClose: () => void; onDone: () => void };

function ImportDialog({ connectorId, text, preview, onClose, onDone }: ImportProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const refused = preview.errors.length > 0;
  const apply = () => {
    setBusy(true);
    importMappings(connectorId, text, false).then(
      (r) => (r.applied || r.changes.length === 0 ? onDone() : (setBusy(false), setError('Nothing was imported.'))),
      (e: unknown) => {
        setBusy(false);
        setError(toApiError(e).message);
      },
    );
  };
  const lines = refused ? preview.errors : preview.changes;
  return (
    <Modal title={refused ? 'This file cannot be imported' : 'Import mappings'} testId="import-dialog" onClose={onClose} wide>
      <div class="held-review">
        <p data-testid="import-summary">
          {refused
            ? `${preview.errors.length} line(s) are not valid. Nothing was written; fix them and import again.`
            : `${preview.changes.length} change(s), ${preview.unchanged} row(s) unchanged.`}
        </p>
        {lines.length > 0 && (
          <div class="held-review__list">
            <table data-testid={refused ? 'import-errors' : 'import-changes'}>
              <tbody>
                {lines.map((l) => (
                  <tr key={`${l.line}-${l.message}`}>
                    <td class="nowrap">Line {l.line}</td>
                    <td>{l.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <footer class="modal__footer">
          <button type="button" class="button" onClick={onClose} data-testid="import-cancel">
            {refused ? 'Close' : 'Cancel'}
          </button>
          {!refused && preview.changes.length > 0 && (
            <button type="button" class="button button--primary" disabled={busy} onClick={apply} data-testid="import-apply">
              {busy ? 'Importing…' : `Import ${preview.changes.length} change(s)`}
            </button>
          )}
        </footer>
      </div>
    </Modal>
  );
}
