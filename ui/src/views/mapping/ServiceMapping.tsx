// Service mapping: each Coro module and add-on next to the PSA product (ConnectWise) or service
// (Autotask) it is billed as, and whether it is billed per device or per user. The shared path
// (MappingScreen) does the table; this screen adds the New tag, the in-use line and the unit.
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { PsaKind } from '../../bindings/PsaKind';
import {
  productNoun,
  serviceSummary,
  staleProductText,
  unitLabel,
  unitOverride,
  UNITS,
} from '../../format/mapping';
import { inUseText } from '../../format/usage';
import { mapService, products, serviceRows, unmapService, type ServiceRow, type Unit } from '../../ipc';
import { MappingScreen, type Column, type MappingSpec, type RowView } from './MappingScreen';

const mapTo = (connectorId: ConnectorId, key: string, productId: number, unit: Unit | null) =>
  mapService({ connector_id: connectorId, service_key: key, product_id: productId, unit });

const SERVICES: MappingSpec<ServiceRow> = {
  prefix: 'service',
  title: 'Service mapping',
  explanation: (psa) =>
    `Link each Coro module and add-on to the ${productNoun(psa)} it is billed as. Each company's ${psa === 'connectwise' ? 'agreement' : 'contract'} should hold one line per product.`,
  filterLabel: 'Filter services',
  empty: 'Coro reported no services for this channel. Check the Coro connection in Settings.',
  count: serviceSummary,
  loadRows: serviceRows,
  loadOptions: products,
  key: (row) => row.service_key,
  mapped: (row) => row.product,
  value: 'product',
  staleText: staleProductText,
  noun: (psa) => (psa === 'connectwise' ? 'ConnectWise products' : 'Autotask services'),
  map: (connectorId, row, product) => mapTo(connectorId, row.service_key, product.id, unitOverride(row)),
  unmap: unmapService,
};

const columns = (psa: PsaKind): Column<ServiceRow>[] => [
  { header: 'Coro service', class: 'mapping-table__name', cell: ({ row, key }) => <ServiceName row={row} rowKey={key} /> },
  { header: productNoun(psa), class: 'mapping-table__psa', cell: (view) => view.cell() },
  { header: 'Billed per', class: 'mapping-table__unit', cell: (view) => <UnitSelect view={view} /> },
];

export function ServiceMappingView({ connectorId }: { connectorId: ConnectorId }) {
  return <MappingScreen connectorId={connectorId} spec={SERVICES} columns={columns} />;
}

function ServiceName({ row, rowKey: key }: { row: ServiceRow; rowKey: string }) {
  return (
    <>
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
    </>
  );
}

/** Billed per device, user or the larger of the two; changing it re-saves the mapping. */
function UnitSelect({ view }: { view: RowView<ServiceRow> }) {
  const { row, key, busy, connectorId } = view;
  return (
    <select
      class="select select--small"
      aria-label={`Billing unit for ${row.name}`}
      title={row.product ? undefined : 'Map a product first'}
      value={row.unit}
      disabled={!row.product || busy}
      onChange={(e) => {
        const unit = e.currentTarget.value as Unit;
        if (row.product && unit !== row.unit) {
          const productId = row.product.id;
          view.change(() => mapTo(connectorId, key, productId, unit));
        }
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
  );
}
