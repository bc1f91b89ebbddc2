import { isFinal, type LiveRow } from './live-row';

/** Quick views above the list. */
export type LiveView = 'all' | 'active' | 'errors' | 'failover';

export const LIVE_VIEWS: readonly { id: LiveView; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'active', label: 'In flight' },
  { id: 'errors', label: 'Errors' },
  { id: 'failover', label: 'Failover' },
];

type Field = 'status' | 'client' | 'provider' | 'model' | 'format' | 'id';
const FIELDS: readonly Field[] = ['status', 'client', 'provider', 'model', 'format', 'id'];

interface Term {
  field: Field | null;
  text: string;
  negate: boolean;
}

/** Splits `status:failed model:sonnet -codex` into terms; unknown `key:` prefixes are plain text. */
export function parseQuery(query: string): Term[] {
  const terms: Term[] = [];
  for (const raw of query.toLowerCase().split(/\s+/)) {
    if (raw === '' || raw === '-') continue;
    const negate = raw.startsWith('-');
    const body = negate ? raw.slice(1) : raw;
    const colon = body.indexOf(':');
    const key = colon > 0 ? body.slice(0, colon) : '';
    const field = (FIELDS as readonly string[]).includes(key) ? (key as Field) : null;
    const text = field === null ? body : body.slice(colon + 1);
    if (text !== '') terms.push({ field, text, negate });
  }
  return terms;
}

function fieldValues(r: LiveRow, f: Field): string[] {
  switch (f) {
    case 'status':
      return r.interrupted ? [r.status, 'interrupted'] : [r.status];
    case 'client':
      return [r.client];
    case 'provider':
      return [r.provider ?? ''];
    case 'model':
      return [r.model ?? '', r.upstreamModel ?? ''];
    case 'format':
      return [r.format];
    case 'id':
      return [r.id];
  }
}

function matches(r: LiveRow, t: Term): boolean {
  const fields = t.field === null ? FIELDS : [t.field];
  for (const f of fields)
    for (const v of fieldValues(r, f)) if (v.toLowerCase().includes(t.text)) return true;
  if (t.field === null && r.error !== null && r.error.toLowerCase().includes(t.text)) return true;
  return false;
}

function inView(r: LiveRow, view: LiveView): boolean {
  switch (view) {
    case 'all':
      return true;
    case 'active':
      return !isFinal(r.status);
    case 'errors':
      return r.status === 'failed';
    case 'failover':
      return (r.hops ?? 0) > 0 || r.skipped > 0;
  }
}

/** A predicate for the list: every term must hold (a `-term` must not). */
export function buildFilter(query: string, view: LiveView): (r: LiveRow) => boolean {
  const terms = parseQuery(query);
  if (terms.length === 0 && view === 'all') return () => true;
  return (r) => inView(r, view) && terms.every((t) => matches(r, t) !== t.negate);
}

/** The rows that pass, in order; the same array when nothing is filtered out. */
export function filterRows(rows: readonly LiveRow[], query: string, view: LiveView): readonly LiveRow[] {
  if (query.trim() === '' && view === 'all') return rows;
  return rows.filter(buildFilter(query, view));
}
