// Connectors page, PSA tab: the list of PSA connectors, or an empty state inviting the first one.
import { useCallback, useMemo, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { ConnectorSummary } from '../../bindings/ConnectorSummary';
import type { PsaKind } from '../../bindings/PsaKind';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { psaName, statusText } from '../../format/connector';
import { lastPreflightChecks, listConnectors, removeConnector, testConnector, toApiError } from '../../ipc';
import { problemCounts } from '../../format/preflight';
import { useReportError } from '../../report';
import { useAppEvents } from '../../useAppEvents';
import { useLoad } from '../../useLoad';
import { AddConnectorDialog } from './AddConnectorDialog';
import { AddConnectorMenu } from './AddConnectorMenu';
import { BillingDialog } from './BillingDialog';
import { ConnectorsTable } from './ConnectorsTable';
import { EditConnectorDialog } from './EditConnectorDialog';
import { TimeZoneDialog } from './TimeZoneDialog';

/** What a row is doing right now. */
export type Busy = 'testing' | 'removing';

/** What the last *Test connection* of a row found, shown under its status until the page changes. */
export type Tested = { ok: boolean; text: string };

export function ConnectorsView() {
  const [load, reload] = useLoad(listConnectors);
  // The last pre-flight checks' counts: no read of the PSA here (the mapping page checks).
  const [checks] = useLoad(lastPreflightChecks);
  const problems = useMemo(() => problemCounts(checks.data ?? []), [checks.data]);
  const report = useReportError();
  const [adding, setAdding] = useState<PsaKind | null>(null);
  const [removing, setRemoving] = useState<ConnectorSummary | null>(null);
  const [zoning, setZoning] = useState<ConnectorSummary | null>(null);
  const [editing, setEditing] = useState<ConnectorSummary | null>(null);
  const [billing, setBillingOf] = useState<ConnectorSummary | null>(null);
  const [busy, setBusy] = useState<Map<ConnectorId, Busy>>(new Map());
  const [tested, setTested] = useState<Map<ConnectorId, Tested>>(new Map());
  const noteTest = (id: ConnectorId, t: Tested) => setTested((prev) => new Map(prev).set(id, t));
  const closeDialog = useCallback(() => setAdding(null), []);

  // A run finishing, a connection check, a mapping change: anything but progress may change this page.
  useAppEvents((e) => {
    if (e.kind !== 'sync_progress') reload();
  });

  const track = (id: ConnectorId, what: Busy | null, work?: Promise<unknown>) => {
    setBusy((prev) => {
      const next = new Map(prev);
      if (what) next.set(id, what);
      else next.delete(id);
      return next;
    });
    work?.catch(report).finally(() => {
      track(id, null);
      reload();
    });
  };

  const onAdded = () => {
    setAdding(null);
    reload();
  };
  // The result shows on the row (a check that finds the same state as before would otherwise look
  // like nothing happened).
  const onTest = (id: ConnectorId) =>
    track(
      id,
      'testing',
      testConnector(id).then(
        (s) => noteTest(id, testedText(s)),
        (e: unknown) => noteTest(id, { ok: false, text: `Check failed: ${toApiError(e).message}` }),
      ),
    );
  const onRemove = () => {
    if (!removing) return;
    const { id } = removing;
    setRemoving(null);
    track(id, 'removing', removeConnector(id));
  };

  const connectors = load.data;
  const hasConnectors = connectors !== null && connectors.length > 0;

  return (
    <section class="view" data-testid="view-connectors">
      <PageHeader
        title="Connectors"
        subtitle="Connect your PSA so Coro usage can be billed automatically."
        actions={hasConnectors ? <AddConnectorMenu onChoose={setAdding} /> : undefined}
      />

      <div class="tabs" role="tablist" aria-label="Connector types">
        <button type="button" role="tab" class="tabs__tab tabs__tab--active" aria-selected="true" data-testid="tab-psa">
          PSA
        </button>
        <button
          type="button"
          role="tab"
          class="tabs__tab"
          aria-selected="false"
          disabled
          title="The Coro channel connection is set up in Settings"
          data-testid="tab-coro"
        >
          Coro
        </button>
      </div>

      <div role="tabpanel" aria-label="PSA connectors" aria-busy={load.state === 'loading'}>
        {hasConnectors ? (
          <ConnectorsTable
            connectors={connectors}
            busy={busy}
            onTest={onTest}
            tested={tested}
            onRemove={setRemoving}
            onTimeZone={setZoning}
            onEdit={setEditing}
            onBilling={setBillingOf}
            problems={problems}
          />
        ) : connectors === null && load.state === 'loading' ? (
          <div class="card card--padded muted" data-testid="connectors-loading">
            Loading connectors…
          </div>
        ) : connectors === null && load.state === 'failed' ? (
          <div class="card empty" data-testid="connectors-load-failed">
            <h2 class="empty__title">Connectors couldn't be loaded</h2>
            <p class="empty__text">{load.error.message}</p>
            <button type="button" class="button" data-testid="connectors-retry" onClick={reload}>
              Try again
            </button>
          </div>
        ) : (
          <div class="card empty" data-testid="connectors-empty">
            <div class="empty__art" aria-hidden="true">
              <svg viewBox="0 0 24 24">
                <path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" />
              </svg>
            </div>
            <h2 class="empty__title">No PSA connectors yet</h2>
            <p class="empty__text">
              Add your ConnectWise PSA or Autotask PSA connection, then map Coro workspaces to PSA companies and Coro
              services to PSA products. PSA Bridge keeps the billed quantities equal to Coro usage.
            </p>
            <AddConnectorMenu onChoose={setAdding} align="center" />
          </div>
        )}
      </div>

      {adding && <AddConnectorDialog kind={adding} onClose={closeDialog} onAdded={onAdded} />}
      {zoning && (
        <TimeZoneDialog
          connector={zoning}
          onClose={() => setZoning(null)}
          onSaved={() => {
            setZoning(null);
            reload();
          }}
        />
      )}
      {billing && (
        <BillingDialog
          connector={billing}
          onClose={() => setBillingOf(null)}
          onSaved={() => {
            setBillingOf(null);
            reload();
          }}
        />
      )}
      {editing && (
        <EditConnectorDialog
          connector={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          confirmLabel="Remove connector"
          onConfirm={onRemove}
          onCancel={() => setRemoving(null)}
        >
          <p>
            PSA Bridge stops syncing this {psaName(removing.kind)} connection, forgets its workspace and service
            mappings and deletes its keys from the system keychain.
          </p>
          <p class="muted">Nothing is changed in {psaName(removing.kind)}. Adding it again means mapping again: to change its keys, site or name, use Edit instead.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function testedText(s: ConnectorSummary): Tested {
  const at = new Date().toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const ok = s.status.state === 'connected';
  return { ok, text: `Checked at ${at}: ${ok ? 'the connection works' : (s.status.message ?? statusText(s.status))}` };
}
