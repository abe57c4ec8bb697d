// The report's detail: the differing lines with their value, unbilled customers, orphan lines,
// and the lines the sync would skip grouped by reason with where each is fixed.
import type { Report } from '../../bindings/Report';
import { maybeMoney } from './format';

export function ReportSections({ report: r }: { report: Report }) {
  const differing = r.rows.filter((row) => row.difference !== 0);
  return (
    <div class="reconcile__sections">
      <section class="card table-card reconcile__section" data-testid="reconcile-rows">
        <h2 class="card__title card__title--section">
          Differences ({differing.length} of {r.rows.length} lines)
        </h2>
        <table class="table">
          <thead>
            <tr>
              <th>Company</th>
              <th>Service</th>
              <th class="num">Coro</th>
              <th class="num">PSA</th>
              <th class="num">Difference</th>
              <th class="num">Unit price</th>
              <th class="num">Monthly value</th>
            </tr>
          </thead>
          <tbody>
            {differing.map((row) => (
              <tr key={`${row.workspace_id}/${row.service_key}`} data-testid="reconcile-row">
                <td>{row.company_name}</td>
                <td>{row.service_name}</td>
                <td class="num">{row.coro_count}</td>
                <td class="num">{row.psa_quantity}</td>
                <td class="num">
                  <span class={row.difference > 0 ? 'delta delta--up' : 'delta delta--down'}>
                    {row.difference > 0 ? `+${row.difference}` : row.difference}
                  </span>
                </td>
                <td class="num">{maybeMoney(row.unit_price_cents)}</td>
                <td class="num">{maybeMoney(row.monthly_value_cents)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section class="card card--padded reconcile__section" data-testid="reconcile-unbilled">
        <h2 class="card__title card__title--section">Unbilled customers ({r.unbilled.length})</h2>
        <p class="muted">Coro workspaces with usage that no workspace mapping covers: map them on the Workspaces screen.</p>
        <ul class="reconcile__list">
          {r.unbilled.map((u) => (
            <li key={u.workspace_id} data-testid="reconcile-unbilled-item">
              <strong>{u.workspace_name}</strong>: {u.counts.map((c) => `${c.service_name} ${c.count}`).join(', ')}
              {u.note && <span class="muted"> — {u.note}</span>}
            </li>
          ))}
        </ul>
      </section>

      <section class="card card--padded reconcile__section" data-testid="reconcile-orphans">
        <h2 class="card__title card__title--section">Orphan lines ({r.orphans.length})</h2>
        <p class="muted">PSA lines for mapped products on companies that no workspace maps to.</p>
        <ul class="reconcile__list">
          {r.orphans.map((o) => (
            <li key={o.line_ref} data-testid="reconcile-orphan">
              <strong>{o.company_name}</strong>: {o.quantity} × {o.product_name} on {o.line_name} ({maybeMoney(o.monthly_value_cents)} a month)
            </li>
          ))}
        </ul>
      </section>

      <section class="card card--padded reconcile__section" data-testid="reconcile-skipped">
        <h2 class="card__title card__title--section">Lines the sync would skip</h2>
        {r.skipped.map((g) => (
          <details key={g.kind} class="reconcile__group" data-testid={`reconcile-skip-${g.kind}`}>
            <summary>
              <strong>{g.title}</strong> ({g.lines.length}) — fix in {g.fix_text}
            </summary>
            <ul class="reconcile__list">
              {g.lines.map((l) => (
                <li key={`${l.workspace_id}/${l.service_key}`}>
                  {l.workspace_name} / {l.service_name}: <span class="muted">{l.reason}</span>
                </li>
              ))}
            </ul>
          </details>
        ))}
      </section>
    </div>
  );
}
