// The frame both mapping screens share: header with the connector's name, the "N of M mapped"
// summary, a row filter, and the loading / failed / empty states around the table.
import type { ComponentChildren } from 'preact';
import { PageHeader } from '../../components/PageHeader';
import { psaName } from '../../format/connector';
import { routeHref } from '../../router';
import { PsaMark } from '../connectors/PsaMark';
import type { ConnectorSummary } from '../../bindings/ConnectorSummary';
import type { Load } from '../../useLoad';

type Props = {
  testId: string;
  title: string;
  explanation: string;
  connector: ConnectorSummary | null;
  rows: Load<readonly unknown[]>;
  onRetry: () => void;
  summary: string | null;
  filter: string;
  onFilter: (text: string) => void;
  filterLabel: string;
  empty: string;
  /** Bulk actions above the table (accept all, CSV). */
  tools?: ComponentChildren;
  children: ComponentChildren;
};

const back = { href: routeHref({ name: 'connectors' }), label: 'Connectors' };

export function MappingFrame(props: Props) {
  const { testId, title, explanation, connector, rows: load, onRetry, summary, filter, onFilter, filterLabel } = props;
  const rows = load.data;

  return (
    <section class="view" data-testid={testId}>
      <PageHeader title={title} back={back} subtitle={explanation} />

      <div class="toolbar">
        {connector && (
          <span class="toolbar__connector" data-testid="mapping-connector">
            <PsaMark kind={connector.kind} />
            <span>
              <span class="strong">{connector.name}</span>
              <span class="muted"> · {psaName(connector.kind)}</span>
            </span>
          </span>
        )}
        <span class="toolbar__summary" data-testid="mapping-summary" aria-live="polite">
          {summary ?? ''}
        </span>
        <span class="toolbar__spacer" />
        <input
          type="search"
          class="input input--filter"
          placeholder={filterLabel}
          aria-label={filterLabel}
          value={filter}
          onInput={(e) => onFilter(e.currentTarget.value)}
          data-testid="mapping-filter"
        />
      </div>

      {props.tools}
      {rows === null ? (
        load.state === 'failed' ? (
          <div class="card empty" data-testid="mapping-load-failed">
            <h2 class="empty__title">The mapping couldn't be loaded</h2>
            <p class="empty__text">{load.error.message}</p>
            <button type="button" class="button" onClick={onRetry} data-testid="mapping-retry">
              Try again
            </button>
          </div>
        ) : (
          <div class="card card--padded muted" data-testid="mapping-loading">
            Loading…
          </div>
        )
      ) : rows.length === 0 ? (
        <div class="card empty" data-testid="mapping-empty">
          <p class="empty__text">{props.empty}</p>
        </div>
      ) : (
        <div class="card table-card table-card--popovers">{props.children}</div>
      )}
    </section>
  );
}
