// Service mapping: each Coro module and add-on next to the PSA product (ConnectWise) or service
// (Autotask) it is billed as, and whether it is billed per device or per user.
import { useMemo, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { PsaKind } from '../../bindings/PsaKind';
import {
  productNoun,
  rowMatches,
  serviceSummary,
  staleProductText,
  summaryText,
  unitLabel,
  unitOverride,
  UNITS,
} from '../../format/mapping';
import { mapService, products, serviceRows, unmapService, type PickOption, type ServiceRow, type Unit } from '../../ipc';
import { inUseText } from '../../format/usage';
import { MappingCell } from './MappingCell';
import { MappingFrame } from './MappingFrame';
import { useMapping, type Mapping } from './useMapping';

export function ServiceMappingView({ connectorId }: { connectorId: ConnectorId }) {
  const m = useMapping(connectorId, serviceRows, products);
  const [filter, setFilter] = useState('');
  const kind = m.connector?.kind ?? 'connectwise';
  const rows = m.rows.data;

  const takenBy = useMemo(() => {
    const map = new Map<number, string>();
    for (const r of rows ?? []) if (r.product) map.set(r.product.id, r.name);
    return map;
  }, [rows]);
  const note = (option: PickOption) => {
    const name = takenBy.get(option.id);
    return name ? `Mapped to ${name}` : null;
  };

  const shown = (rows ?? []).filter((r) => rowMatches(filter, r.name, r.service_key, r.product?.name));

  return (
    <MappingFrame
      testId="view-service-mapping"
      title="Service mapping"
      explanation={`Link each Coro module and add-on to the ${productNoun(kind)} it is billed as. Each company's ${kind === 'connectwise' ? 'agreement' : 'contract'} should hold one line per product.`}
      connector={m.connector}
      rows={m.rows}
      onRetry={m.reloadRows}
      summary={rows ? summaryText(serviceSummary(rows)) : null}
      filter={filter}
      onFilter={setFilter}
      filterLabel="Filter services"
      empty="Coro reported no services for this channel. Check the Coro connection in Settings."
    >
      {rows && (
        <table class="table mapping-table" data-testid="service-table">
          <thead>
            <tr>
              <th scope="col">Coro service</th>
              <th scope="col">{productNoun(kind)}</th>
              <th scope="col">Billed per</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <Row key={row.service_key} row={row} kind={kind} connectorId={connectorId} mapping={m} note={note} />
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={3} class="muted">
                  No service matches “{filter.trim()}”.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </MappingFrame>
  );
}

type RowProps = {
  row: ServiceRow;
  kind: PsaKind;
  connectorId: ConnectorId;
  mapping: Mapping<ServiceRow>;
  note: (option: PickOption) => string | null;
};

function Row({ row, kind, connectorId, mapping: m, note }: RowProps) {
  const key = row.service_key;
  const busy = m.busy === key;
  const map = (productId: number, unit: Unit | null) =>
    m.change(key, () => mapService({ connector_id: connectorId, service_key: key, product_id: productId, unit }));

  return (
    <tr class={row.stale ? 'row--stale' : undefined} data-testid={`service-row-${key}`} data-stale={row.stale}>
      <td class="mapping-table__name">
        <span class="badges">
          <span class="strong">{row.name}</span>
          {!row.known && (
            <span
              class="tag tag--new"
              title="A Coro service PSA Bridge does not know yet: check its name and unit before mapping"
              data-testid={`service-new-${key}`}
            >
              New
            </span>
          )}
        </span>
        <span class="mapping-table__id">{key}</span>
        {row.in_use && (
          <span class="mapping-table__id" data-testid={`service-in-use-${key}`}>
            In use: {inUseText(row.in_use)}
            {row.product ? '' : ' — not billed until mapped'}
          </span>
        )}
      </td>
      <td class="mapping-table__psa">
        <MappingCell
          prefix="service"
          rowKey={key}
          valueTestId={`service-product-${key}`}
          mapped={row.product}
          stale={row.stale}
          staleText={row.product ? staleProductText(kind, row.product.name) : ''}
          suggestion={row.suggestion}
          noun={kind === 'connectwise' ? 'ConnectWise products' : 'Autotask services'}
          options={m.options}
          busy={busy}
          note={note}
          onPick={(product) => map(product.id, unitOverride(row))}
          onUnmap={() => m.change(key, () => unmapService(connectorId, key))}
        />
      </td>
      <td class="mapping-table__unit">
        <select
          class="select select--small"
          aria-label={`Billing unit for ${row.name}`}
          title={row.product ? undefined : 'Map a product first'}
          value={row.unit}
          disabled={!row.product || busy}
          onChange={(e) => {
            const unit = e.currentTarget.value as Unit;
            if (row.product && unit !== row.unit) map(row.product.id, unit);
          }}
          data-testid={`service-unit-${key}`}
        >
          {UNITS.map((u) => (
            <option key={u} value={u}>
              {unitLabel(u)}
              {u === row.default_unit ? ' (default)' : ''}
            </option>
          ))}
        </select>
      </td>
    </tr>
  );
}
