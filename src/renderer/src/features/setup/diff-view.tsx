import type { JSX } from 'react';

const KIND: Record<string, string> = { '+': 'add', '-': 'del', '@': 'hunk' };

/** A unified diff, one row per line, coloured by what the line does (added, removed, context). */
export function DiffView({ diff, label }: { diff: string; label: string }): JSX.Element {
  const lines = diff.replace(/\n$/, '').split('\n');
  // The `---`/`+++` header names the file, which the card already shows above it.
  const body = lines.filter((l, i) => !(i < 2 && (l.startsWith('--- ') || l.startsWith('+++ '))));
  return (
    <pre className="diff" aria-label={label}>
      {body.map((line, i) => (
        <div key={i} className={`diff-line ${KIND[line[0] ?? ''] ?? 'ctx'}`}>
          {line === '' ? ' ' : line}
        </div>
      ))}
    </pre>
  );
}
