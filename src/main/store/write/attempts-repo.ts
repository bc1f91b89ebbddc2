// Writes and reads: the writer inserts each finished attempt, read/usage-queries reads them back; here for its main use.
import type BetterSqlite3 from 'better-sqlite3';
import { API_FORMATS, type ApiFormat } from '../../../shared/api-format';
import type { AttemptOutcome, AttemptPhase, AttemptRecord } from '../../../shared/usage';

/** The only code that reads or writes the `attempts` table. */
export interface AttemptsRepo {
  insert(a: AttemptRecord): void;
  /** A request's attempts in order. */
  forRequest(requestId: string): AttemptRecord[];
}

interface AttemptRow {
  request_id: string;
  attempt_no: number;
  provider: string;
  started_at: number;
  phase: string;
  outcome: string;
  reason: string | null;
  http_status: number | null;
  duration_ms: number | null;
  body_head: string | null;
  /** Schema 4; NULL for attempts relayed as is and for every row written before. */
  translated_to: string | null;
  /** Schema 7; NULL for attempts without a key of the provider's own and for every row written before. */
  key_fingerprint: string | null;
}

/** A stored format name, or null when there is none (or one this build does not know). */
function formatOrNull(name: string | null): ApiFormat | null {
  return API_FORMATS.find((f) => f === name) ?? null;
}

export function createAttemptsRepo(db: BetterSqlite3.Database): AttemptsRepo {
  // OR REPLACE: a skipped candidate and a later real attempt never share a number, but a retried write may.
  const insert = db.prepare(
    `INSERT OR REPLACE INTO attempts
       (request_id, attempt_no, provider, started_at, phase, outcome, reason, http_status, duration_ms, body_head,
        translated_to, key_fingerprint)
     VALUES (@requestId, @attemptNo, @provider, @startedAtMs, @phase, @outcome, @reason, @httpStatus, @durationMs, @bodyHead,
        @translatedTo, @keyFingerprint)`,
  );
  const byRequest = db.prepare<[string], AttemptRow>(
    'SELECT * FROM attempts WHERE request_id = ? ORDER BY attempt_no',
  );
  return {
    insert(a) {
      insert.run({
        requestId: a.requestId,
        attemptNo: a.attemptNo,
        provider: a.provider,
        startedAtMs: a.startedAtMs,
        phase: a.phase,
        outcome: a.outcome,
        reason: a.reason,
        httpStatus: a.httpStatus,
        durationMs: a.durationMs,
        bodyHead: a.bodyHead,
        translatedTo: a.translatedTo,
        keyFingerprint: a.keyFingerprint ?? null,
      });
    },
    forRequest(requestId) {
      return byRequest.all(requestId).map((r) => ({
        requestId: r.request_id,
        attemptNo: r.attempt_no,
        provider: r.provider,
        startedAtMs: r.started_at,
        phase: r.phase as AttemptPhase,
        outcome: r.outcome as AttemptOutcome,
        reason: r.reason,
        httpStatus: r.http_status,
        durationMs: r.duration_ms,
        bodyHead: r.body_head,
        translatedTo: formatOrNull(r.translated_to),
        keyFingerprint: r.key_fingerprint,
      }));
    },
  };
}
