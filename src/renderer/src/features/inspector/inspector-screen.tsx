import { useMemo, useState, type JSX } from 'react';
import { CopyButton } from '../../components/copy-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorNote } from '../../components/error-note';
import { downloadText } from '../../lib/download';
import { useShortcuts } from '../../lib/keys';
import { useStatus } from '../../lib/status-store';
import { useNow } from '../../lib/use-now';
import { isFinal, rowFromUsage } from '../live/live-row';
import { useLiveRow, useTrace } from '../live/live-store';
import { decodeMessage, firstContentOffset } from './decode-message';
import { FramesView } from './frames-view';
import { InspectorSummary } from './inspector-summary';
import { MessageView } from './message-view';
import { curlCommand, exportName, framesToSse } from './request-export';
import { RequestView } from './request-view';
import { SideToggle, type AnswerSide } from './side-toggle';
import { buildTimeline } from './timeline';
import { UsageCostView } from './usage-cost-view';
import { useRequestDetail } from './use-request-detail';
import { Waterfall } from './waterfall';

const TABS = [
  { id: 'message', label: 'Message', key: 'm' },
  { id: 'frames', label: 'Frames', key: 'f' },
  { id: 'request', label: 'Request', key: 'r' },
  { id: 'usage', label: 'Usage & cost', key: 'u' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/** One request: waterfall, frames, decoded message, request, usage and cost; curl and exports. */
export function InspectorScreen({
  requestId,
  onBack,
}: {
  requestId: string | null;
  onBack: () => void;
}): JSX.Element {
  const liveRow = useLiveRow(requestId);
  const trace = useTrace(requestId);
  const finished = liveRow === undefined || isFinal(liveRow.status);
  const detailState = useRequestDetail(requestId, finished);
  const detail = detailState.state === 'ready' ? detailState.detail : null;
  const [tab, setTab] = useState<Tab>('message');
  const [side, setSide] = useState<AnswerSide>('provider');
  const { status } = useStatus();

  useShortcuts((e) => {
    const t = TABS.find((x) => x.key === e.key);
    if (t !== undefined) {
      setTab(t.id);
      e.preventDefault();
    }
  });

  const row = useMemo(() => {
    if (detail === null) return liveRow;
    const stored = rowFromUsage(detail.request, liveRow);
    if (liveRow !== undefined && !isFinal(stored.status)) return liveRow;
    // The stored attempts are the whole story, also for rows the page never saw live.
    const count = (o: string): number => detail.attempts.filter((a) => a.outcome === o).length;
    const served = detail.attempts.findLast((a) => a.phase === 'relay');
    return {
      ...stored,
      hops: count('failed'),
      skipped: count('skipped'),
      translatedTo: served === undefined ? stored.translatedTo : served.translatedTo,
    };
  }, [detail, liveRow]);
  const format = row?.format ?? 'openai-chat';
  // The frames are the provider's: in its format when the request was translated for it.
  const framesFormat = row?.translatedTo ?? format;
  const frames =
    detail !== null && detail.capture.frames.length > 0 ? detail.capture.frames : (trace?.frames ?? []);
  const dropped =
    detail !== null && detail.capture.frames.length > 0
      ? detail.capture.droppedFrames
      : (trace?.droppedFrames ?? 0);
  // A translated attempt also kept what the client received, re-encoded in its own format.
  const translated = row?.translatedTo != null;
  const clientFrames = detail?.capture.clientFrames;
  const showClient = translated && side === 'client';
  const shownFrames = showClient ? (clientFrames ?? []) : frames;
  const shownFormat = showClient ? format : framesFormat;
  const shownDropped = showClient ? (detail?.capture.droppedClientFrames ?? 0) : dropped;
  // Frames only grow while streaming; decoding at ≤ 20 renders a second keeps up with any stream.
  const message = useMemo(
    () => decodeMessage(shownFormat, shownFrames),
    [shownFormat, shownFrames, shownFrames.length],
  );
  const firstContent = useMemo(
    () => firstContentOffset(framesFormat, frames),
    [framesFormat, frames, frames.length],
  );
  const timeline = buildTimeline(detail, trace, firstContent);
  const running = row !== undefined && !isFinal(row.status);
  const now = useNow(running);

  if (requestId === null)
    return (
      <section className="screen">
        <EmptyState title="No request selected">
          <p>
            Pick a request in Live (<kbd>1</kbd>) with <kbd>j</kbd>/<kbd>k</kbd> and press <kbd>Enter</kbd> to
            see its waterfall, raw frames, decoded message and cost here.
          </p>
        </EmptyState>
      </section>
    );
  if (row === undefined) {
    return (
      <section className="screen">
        {detailState.state === 'failed' ? (
          <ErrorNote message={detailState.message} />
        ) : (
          <EmptyState title={detailState.state === 'missing' ? 'Request not found' : 'Loading…'}>
            {detailState.state === 'missing' && <p>It may have been removed by retention. Esc goes back.</p>}
          </EmptyState>
        )}
      </section>
    );
  }

  const gatewayUrl = status?.url ?? location.origin;
  const curl = curlCommand({
    gatewayUrl,
    format,
    model: row.model,
    stream: row.stream,
    body: detail?.capture.requestBody ?? null,
    headers: detail?.capture.requestHeaders ?? null,
  });
  const exportJson = (): void =>
    downloadText(
      exportName(row.id, row.startedAt, 'json'),
      JSON.stringify(detail ?? { request: row, live: trace ?? null }, null, 2),
      'application/json',
    );
  const exportSse = (): void =>
    downloadText(exportName(row.id, row.startedAt, 'sse'), framesToSse(frames), 'text/event-stream');

  return (
    <section className="screen inspector" aria-label="Inspector">
      <div className="toolbar">
        <button type="button" className="btn btn-small" onClick={onBack} title="Back to Live (Esc)">
          ← Live
        </button>
        <span className="mono insp-id" title="Request id">
          {row.id}
        </span>
        <span className="spacer" />
        <CopyButton text={curl} label="Copy as curl" />
        <button type="button" className="btn btn-small" onClick={exportSse} disabled={frames.length === 0}>
          Export .sse
        </button>
        <button type="button" className="btn btn-small" onClick={exportJson}>
          Export .json
        </button>
      </div>
      <div className="insp-scroll">
        <InspectorSummary row={row} now={running ? now : null} />
        <Waterfall t={timeline} now={running ? now - row.startedAt : null} />
        <div className="seg tabs-inline" role="tablist" aria-label="Details">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              className={`seg-btn${tab === t.id ? ' is-on' : ''}`}
              onClick={() => setTab(t.id)}
            >
              {t.label}
              {t.id === 'frames' && <span className="num muted"> {shownFrames.length}</span>}
              <kbd>{t.key}</kbd>
            </button>
          ))}
        </div>
        <div className="tab-panel" role="tabpanel">
          {translated && (tab === 'message' || tab === 'frames') && (
            <SideToggle side={side} onChange={setSide} providerFormat={framesFormat} clientFormat={format} />
          )}
          {tab === 'message' && <MessageView m={message} />}
          {tab === 'frames' && <FramesView frames={shownFrames} dropped={shownDropped} />}
          {tab === 'request' &&
            (detail !== null ? (
              <RequestView
                row={detail.request}
                capture={detail.capture}
                translatedTo={row.translatedTo ?? null}
              />
            ) : (
              <p className="list-note">The request's record appears once the store has it.</p>
            ))}
          {tab === 'usage' &&
            (detail !== null ? (
              <UsageCostView row={detail.request} pricing={detail.pricing} />
            ) : (
              <p className="list-note">Usage and cost are known when the request ends.</p>
            ))}
        </div>
      </div>
    </section>
  );
}
