import { useEffect, useState, type JSX } from 'react';
import { copyText } from '../lib/download';

/** Copies `text`; says "Copied" for a moment. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }): JSX.Element {
  const [done, setDone] = useState<boolean | null>(null);
  useEffect(() => {
    if (done === null) return;
    const t = setTimeout(() => setDone(null), 1_500);
    return () => clearTimeout(t);
  }, [done]);
  return (
    <button
      type="button"
      className="btn btn-small copy"
      onClick={() => void copyText(text).then(setDone)}
      aria-live="polite"
    >
      {done === null ? label : done ? 'Copied' : 'Copy failed'}
    </button>
  );
}
