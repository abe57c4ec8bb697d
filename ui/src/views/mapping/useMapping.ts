// State shared by the workspace and service mapping screens: the connector, its rows (replaced by
// what every map/unmap answers), and the PSA's full option list with its search index.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { ConnectorSummary } from '../../bindings/ConnectorSummary';
import { buildIndex, type SearchIndex } from '../../components/picker/search';
import { listConnectors, toApiError, type PickOption } from '../../ipc';
import { useReportError } from '../../report';
import { useAppEvents } from '../../useAppEvents';
import { useLoad, type Load } from '../../useLoad';

export type Options = {
  index: SearchIndex<PickOption> | null;
  error: string | null;
  refreshing: boolean;
  refresh: () => void;
};

export type Mapping<Row> = {
  /** Null until the connector list has loaded, and when the connector does not exist. */
  connector: ConnectorSummary | null;
  rows: Load<Row[]>;
  reloadRows: () => void;
  options: Options;
  /** The key of the row whose change is in flight. */
  busy: string | null;
  /** Runs a map/unmap for one row; its answer (all rows) replaces the table, a failure goes to the banner. */
  change: (key: string, op: () => Promise<Row[]>) => void;
  /** Replaces the table with rows a bulk change answered. */
  setRows: (rows: Row[]) => void;
};

export function useMapping<Row>(
  connectorId: ConnectorId,
  loadRows: (id: ConnectorId) => Promise<Row[]>,
  loadOptions: (id: ConnectorId, refresh: boolean) => Promise<PickOption[]>,
): Mapping<Row> {
  const report = useReportError();
  const [connectors] = useLoad(listConnectors);
  const fetchRows = useCallback(() => loadRows(connectorId), [loadRows, connectorId]);
  const [loaded, reloadRows] = useLoad(fetchRows);
  const [rows, setRows] = useState<Load<Row[]>>(loaded);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => setRows(loaded), [loaded]);
  useAppEvents((e) => {
    if (e.kind === 'connectors_changed') reloadRows();
  });

  const options = useOptions(connectorId, loadOptions);

  const change = useCallback(
    (key: string, op: () => Promise<Row[]>) => {
      setBusy(key);
      op()
        .then((data) => setRows({ state: 'ready', data }), report)
        .finally(() => setBusy(null));
    },
    [report],
  );

  return {
    connector: connectors.data?.find((c) => c.id === connectorId) ?? null,
    rows,
    reloadRows,
    options,
    busy,
    change,
    setRows: (data: Row[]) => setRows({ state: 'ready', data }),
  };
}

/** Loads the option list once (from the local cache) and re-reads it from the PSA on request. */
function useOptions(
  connectorId: ConnectorId,
  loadOptions: (id: ConnectorId, refresh: boolean) => Promise<PickOption[]>,
): Options {
  const [list, setList] = useState<PickOption[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refreshing, setRefreshing] = useState(false);

  const fetch = useCallback(
    (refresh: boolean) => {
      setRefreshing(refresh);
      setError(null);
      let active = true;
      loadOptions(connectorId, refresh)
        .then(
          (data) => active && setList(data),
          (e: unknown) => active && setError(toApiError(e).message),
        )
        .finally(() => active && setRefreshing(false));
      return () => {
        active = false;
      };
    },
    [connectorId, loadOptions],
  );

  useEffect(() => fetch(false), [fetch]);

  const index = useMemo(() => (list ? buildIndex(list) : null), [list]);
  const refresh = useCallback(() => void fetch(true), [fetch]);
  return { index, error, refreshing, refresh };
}
