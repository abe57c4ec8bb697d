import { Placeholder } from './Placeholder';

export function HistoryView() {
  return (
    <Placeholder
      testId="view-history"
      title="History"
      explanation="Every sync run will be listed here with its outcome, and each run opens to the exact quantity changes it made in your PSA, so billing can be audited line by line."
    />
  );
}
