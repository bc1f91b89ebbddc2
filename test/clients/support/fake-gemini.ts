import type { FakeReply, RecordedRequest } from '../../support/fake-upstream';
import {
  body,
  json,
  pieces,
  roughTokens,
  sampleFor,
  sse,
  SSE_PAUSE_MS,
  stream,
  type UpstreamMode,
} from './upstream-kit';

/** The Gemini API as generativelanguage.googleapis.com speaks it: models, countTokens, generateContent, streams. */
export function gemini(req: RecordedRequest, mode: UpstreamMode, text: string): FakeReply {
  const [path = '', query = ''] = req.url.split('?');
  const b = body(req);
  const error = (status: number, statusText: string, message: string): FakeReply =>
    json(req, status, { error: { code: status, message, status: statusText } });
  if (req.method === 'GET' && /^\/v1(beta)?\/models$/.test(path)) {
    return json(req, 200, {
      models: [
        {
          name: 'models/gemini-3.8-flash',
          displayName: 'Gemini (fake)',
          supportedGenerationMethods: ['generateContent', 'countTokens'],
        },
      ],
    });
  }
  const m =
    /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/.exec(path);
  if (req.method !== 'POST' || m === null) return error(404, 'NOT_FOUND', `fake upstream: no route ${path}`);
  const [, model = 'gemini-unknown', op] = m;
  if (mode === 'overloaded') {
    return error(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
  }
  if (op === 'countTokens') return json(req, 200, { totalTokens: roughTokens(req) });
  const config = (b.generationConfig ?? {}) as Record<string, unknown>;
  // Gemini CLI's model router asks a flash-lite model for a JSON verdict before the real turn.
  const answer =
    config.responseMimeType === 'application/json'
      ? JSON.stringify(sampleFor(config.responseJsonSchema ?? config.responseSchema))
      : text;
  const usage = (out: number) => ({
    promptTokenCount: roughTokens(req),
    candidatesTokenCount: out,
    totalTokenCount: roughTokens(req) + out,
  });
  const chunk = (t: string, last: boolean) => ({
    candidates: [
      {
        content: { parts: [{ text: t }], role: 'model' },
        ...(last ? { finishReason: 'STOP' } : {}),
        index: 0,
      },
    ],
    usageMetadata: usage(last ? 20 : 5),
    modelVersion: model,
    responseId: 'fake-response-0001',
  });
  if (op === 'generateContent') {
    if (mode === 'stream-error') return error(500, 'INTERNAL', 'An internal error has occurred.');
    return json(req, 200, chunk(answer, true));
  }
  const parts = pieces(answer, 3);
  const chunks = parts.map((t, i) => chunk(t, i === parts.length - 1));
  const errorEvent = { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } };
  if (query.includes('alt=sse')) {
    return stream(mode === 'stream-error' ? [sse(null, errorEvent)] : chunks.map((c) => sse(null, c)));
  }
  // Without alt=sse the API streams one JSON array, element by element.
  const elements = mode === 'stream-error' ? [errorEvent] : chunks;
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    chunks: elements.map(
      (e, i) => `${i === 0 ? '[' : ',\r\n'}${JSON.stringify(e)}${i === elements.length - 1 ? ']' : ''}`,
    ),
    delayMs: SSE_PAUSE_MS,
  };
}
