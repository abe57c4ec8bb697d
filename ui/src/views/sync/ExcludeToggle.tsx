// "Exclude from billing" on a preview line: the workspace × service is never written until it
// is included again (who excluded it and when shows as the line's reason). Preview again after.
import { useState } from 'preact/hooks';
import type { ConnectorId } from '../../bindings/ConnectorId';
import type { PlanItem } from '../../ipc/types';
import { setExcluded } from '../../ipc';
import { useReportError } from '../../report';
import { itemKey } from '../../format/plan';
import { preview } from './session';

/** The reason the backend gives an excluded line starts with this (sync::exclusions::EXCLUDED). */
export const EXCLUDED = 'Excluded from billing';

export function isExcluded(item: Pick<PlanItem, 'reason'>): boolean {
  return item.reason?.startsWith(EXCLUDED) ?? false;
}

type Props = { connectorId: ConnectorId; item: PlanItem; busy: boolean };

export function ExcludeToggle({ connectorId, item, busy }: Props) {
  const report = useReportError();
  const [saving, setSaving] = useState(false);
  if (item.service_key === '') return null;
  const excluded = isExcluded(item);
  const toggle = () => {
    setSaving(true);
    setExcluded(connectorId, item.workspace_id, item.service_key, !excluded)
      .then(() => preview())
      .catch(report)
      .finally(() => setSaving(false));
  };
  return (
    <button
      type="button"
      class="button button--small button--quiet"
      disabled={busy || saving}
      onClick={toggle}
      title={excluded ? 'Bill this line again from the next sync' : 'Exclude from billing: never write this line until it is included again'}
      aria-label={`${excluded ? 'Include again' : 'Exclude from billing'}: ${item.workspace_name} / ${item.service_name}`}
      data-testid={`${excluded ? 'include' : 'exclude'}-${itemKey(item)}`}
    >
      {excluded ? 'Include' : 'Exclude'}
    </button>
  );
}
