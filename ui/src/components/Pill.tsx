// A small coloured label for states (Connected, Failed, Sandbox mode …).
import type { ComponentChildren } from 'preact';
import type { Tone } from '../format/connector';

type Props = { tone: Tone; title?: string; testId?: string; children: ComponentChildren };

export function Pill({ tone, title, testId, children }: Props) {
  return (
    <span class={`pill pill--${tone}`} title={title} data-testid={testId}>
      <span class="pill__dot" aria-hidden="true" />
      {children}
    </span>
  );
}
