import type { JSX } from 'react';
import type { ApiFormat } from '../../../../shared/api-format';
import { formatLabel } from '../../lib/labels';

/** Which side of a translated attempt's answer is shown: the provider's, or the client's re-encoding. */
export type AnswerSide = 'provider' | 'client';

/**
 * A two-way switch between what the provider answered (its format) and what the client received (the
 * client's format, re-encoded by Sluice). Two buttons: each reachable with Tab, pressed with Enter/Space.
 */
export function SideToggle({
  side,
  onChange,
  providerFormat,
  clientFormat,
}: {
  side: AnswerSide;
  onChange: (side: AnswerSide) => void;
  providerFormat: ApiFormat;
  clientFormat: ApiFormat;
}): JSX.Element {
  const options: { id: AnswerSide; label: string; format: ApiFormat }[] = [
    { id: 'provider', label: 'provider answered', format: providerFormat },
    { id: 'client', label: 'client received', format: clientFormat },
  ];
  return (
    <div className="seg side-toggle" role="group" aria-label="Answer side">
      {options.map((o) => (
        <button
          key={o.id}
          type="button"
          aria-pressed={side === o.id}
          className={`seg-btn${side === o.id ? ' is-on' : ''}`}
          onClick={() => onChange(o.id)}
        >
          {o.label} <span className="mono muted">{formatLabel(o.format)}</span>
        </button>
      ))}
    </div>
  );
}
