// A screen that is planned but not built yet: heading plus one sentence on what it will hold.
import type { ComponentChildren } from 'preact';
import { PageHeader } from '../components/PageHeader';

type Props = {
  title: string;
  explanation: string;
  back?: { href: string; label: string };
  testId: string;
  children?: ComponentChildren;
};

export function Placeholder({ title, explanation, back, testId, children }: Props) {
  return (
    <section class="view" data-testid={testId}>
      <PageHeader title={title} back={back} />
      <div class="card card--padded">
        <p class="placeholder__text">{explanation}</p>
        {children}
      </div>
    </section>
  );
}
