// The left-hand navigation between the top-level screens.
import { TOP_LEVEL, routeHref, type TopLevel } from '../router';

const LABELS: Record<TopLevel, string> = {
  connectors: 'Connectors',
  sync: 'Sync',
  reconcile: 'Reconcile',
  history: 'History',
  settings: 'Settings',
};

const ICONS: Record<TopLevel, string> = {
  connectors:
    'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  sync: 'M20 11a8 8 0 0 0-14.9-3M4 4v4h4M4 13a8 8 0 0 0 14.9 3M20 20v-4h-4',
  reconcile: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
  history: 'M12 8v4l3 2M3.5 12a8.5 8.5 0 1 0 2.5-6M3 3v4h4',
  settings: 'M4 6h9M17 6h3M13 4v4M4 12h3M11 12h9M7 10v4M4 18h11M19 18h1M15 16v4',
};

export function SideNav({ current }: { current: TopLevel }) {
  return (
    <nav class="sidenav" aria-label="Main">
      <div class="sidenav__brand">
        <span class="sidenav__logo" aria-hidden="true">
          PB
        </span>
        <span class="sidenav__name">PSA Bridge</span>
      </div>
      <ul class="sidenav__list">
        {TOP_LEVEL.map((name) => (
          <li key={name}>
            <a
              href={routeHref({ name })}
              class={name === current ? 'sidenav__link sidenav__link--active' : 'sidenav__link'}
              aria-current={name === current ? 'page' : undefined}
              data-testid={`nav-${name}`}
            >
              <svg class="sidenav__icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d={ICONS[name]} />
              </svg>
              {LABELS[name]}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
