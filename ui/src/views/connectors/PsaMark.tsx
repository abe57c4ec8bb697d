// A two-letter badge standing in for a PSA's logo (no vendor artwork is bundled).
import type { PsaKind } from '../../bindings/PsaKind';

export function PsaMark({ kind }: { kind: PsaKind }) {
  return (
    <span class={`psa-mark psa-mark--${kind}`} aria-hidden="true">
      {kind === 'connectwise' ? 'CW' : 'AT'}
    </span>
  );
}
