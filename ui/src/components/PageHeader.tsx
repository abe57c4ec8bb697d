// Title row of every screen; the h1 carries data-testid="page-title".
import type { ComponentChildren } from 'preact';

type Props = { title: string; subtitle?: string; actions?: ComponentChildren; back?: { href: string; label: string } };

export function PageHeader({ title, subtitle, actions, back }: Props) {
  return (
    <header class="page-header">
      <div class="page-header__text">
        {back && (
          <a class="page-header__back" href={back.href} data-testid="page-back">
            ← {back.label}
          </a>
        )}
        <h1 class="page-header__title" data-testid="page-title">
          {title}
        </h1>
        {subtitle && <p class="page-header__subtitle">{subtitle}</p>}
      </div>
      {actions && <div class="page-header__actions">{actions}</div>}
    </header>
  );
}
