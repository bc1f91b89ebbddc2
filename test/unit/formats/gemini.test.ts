import { ApiError, GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { geminiAdapter } from '../../../src/formats/gemini';
import { createJsonArraySplitter } from '../../../src/main/proxy/stages/json-array-split';
import { decodeFrames, fakeFetch, jsonResponse, sseResponse, thrown } from './harness';

const client = (respond: () => Response): GoogleGenAI =>
  new GoogleGenAI({
    apiKey: 'test',
    httpOptions: { fetch: fakeFetch(respond), retryOptions: { attempts: 1 } },
  });

const params = { model: 'gemini-test', contents: 'hi' };

const textChunk = `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Hel' }], role: 'model' }, index: 0 }] })}\r\n\r\n`;

describe('geminiAdapter.observeJson on a non-streaming GenerateContentResponse', () => {
  it('reads text, thoughts, function calls, finish reason, usage, model and id', () => {
    const observer = geminiAdapter.createObserver();
    const kind = observer.observeJson({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Thinking about it.', thought: true },
              { text: 'Here.' },
              { functionCall: { name: 'lookup', args: { q: 'x', n: 2 } }, thoughtSignature: 'abc' },
              { functionCall: { id: 'fc-2', name: 'noargs' } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 1000,
        cachedContentTokenCount: 600,
        candidatesTokenCount: 50,
        thoughtsTokenCount: 30,
        toolUsePromptTokenCount: 10,
        totalTokenCount: 1090,
      },
      modelVersion: 'gemini-2.5-pro',
      responseId: 'resp-1',
    });
    const f = observer.facts;
    expect(kind).toBe('content');
    expect([f.text, f.thinking]).toEqual(['Here.', 'Thinking about it.']);
    expect(f.toolCalls).toEqual([
      { index: 0, id: null, name: 'lookup', arguments: '{"q":"x","n":2}' },
      { index: 1, id: 'fc-2', name: 'noargs', arguments: '{}' },
    ]);
    expect([f.finishReason, f.terminal, f.completed, f.error]).toEqual(['STOP', true, true, null]);
    expect([f.model, f.responseId]).toEqual(['gemini-2.5-pro', 'resp-1']);
    // input = prompt + tool-use prompt − cached; output = candidates + thoughts; they add up to the total.
    expect(f.usage).toEqual({
      inputTokens: 410,
      cacheReadTokens: 600,
      cacheWriteTokens: null,
      cacheWrite5mTokens: null,
      cacheWrite1hTokens: null,
      outputTokens: 80,
      reasoningTokens: 30,
    });
  });

  it('ends a blocked prompt as terminal but not completed, with the block reason as finish reason', () => {
    const observer = geminiAdapter.createObserver();
    expect(
      observer.observeJson({
        promptFeedback: { blockReason: 'SAFETY' },
        usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
      }),
    ).toBe('terminal');
    const f = observer.facts;
    expect([f.finishReason, f.terminal, f.completed]).toEqual(['SAFETY', true, false]);
    expect([f.usage.inputTokens, f.usage.outputTokens]).toEqual([8, null]);
  });

  it('observes the elements of a JSON-array stream, error element included', () => {
    const observer = geminiAdapter.createObserver();
    const kinds: string[] = [];
    const splitter = createJsonArraySplitter((json) => kinds.push(observer.observeJson(JSON.parse(json))));
    const body = `[{"candidates": [{"content": {"parts": [{"text": "A"}]},"index": 0}]}\r\n,\r\n{"candidates": [{"content": {"parts": [{"text": "B"}]},"finishReason": "STOP","index": 0}]}\r\n,\r\n${geminiAdapter.errorBody(503, 'upstream_stream', 'Gone')}]`;
    const bytes = new TextEncoder().encode(body);
    for (let i = 0; i < bytes.length; i += 5) splitter.push(bytes.subarray(i, i + 5));
    splitter.end();
    expect(kinds).toEqual(['content', 'content', 'error']);
    expect([observer.facts.text, observer.facts.completed]).toEqual(['AB', false]);
    expect(observer.facts.error).toEqual({ type: 'UNAVAILABLE', message: 'Gone', status: 503 });
  });
});

describe('geminiAdapter errors as @google/genai sees them', () => {
  it('errorBody: the google.rpc shape with the canonical status name', () => {
    expect(JSON.parse(geminiAdapter.errorBody(404, 'not_found', 'No such model'))).toEqual({
      error: { code: 404, message: 'No such model', status: 'NOT_FOUND' },
    });
    const statuses = [400, 401, 403, 429, 500, 503, 504].map(
      (s) =>
        (JSON.parse(geminiAdapter.errorBody(s, 'internal', 'm')) as { error: { status: string } }).error
          .status,
    );
    expect(statuses).toEqual([
      'INVALID_ARGUMENT',
      'UNAUTHENTICATED',
      'PERMISSION_DENIED',
      'RESOURCE_EXHAUSTED',
      'INTERNAL',
      'UNAVAILABLE',
      'DEADLINE_EXCEEDED',
    ]);
  });

  it('errorBody: the SDK raises ApiError with the status', async () => {
    const body = geminiAdapter.errorBody(400, 'bad_request', 'Bad input');
    const err = await thrown(() => client(() => jsonResponse(400, body)).models.generateContent(params));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toContain('Bad input');
  });

  it('errorEvent: one data event that decodes to the error; a non-error status is sent as 500', () => {
    const events = decodeFrames(geminiAdapter.errorEvent(200, 'upstream_stream', 'Upstream cut'));
    expect(events).toHaveLength(1);
    expect(events[0]!.event).toBeUndefined();
    expect(JSON.parse(events[0]!.data)).toEqual({
      error: { code: 500, message: 'Upstream cut', status: 'INTERNAL' },
    });
    const observer = geminiAdapter.createObserver();
    expect(observer.observeEvent(events[0]!.event, events[0]!.data)).toBe('error');
    expect(observer.facts.error).toEqual({ type: 'INTERNAL', message: 'Upstream cut', status: 500 });
  });

  it('errorEvent: the SDK throws ApiError mid-stream, after the text before it', async () => {
    const body = textChunk + geminiAdapter.errorEvent(504, 'upstream_timeout', 'Upstream went quiet');
    const stream = await client(() => sseResponse(body)).models.generateContentStream(params);
    const texts: string[] = [];
    const err = await thrown(async () => {
      for await (const chunk of stream) texts.push(chunk.text ?? '');
    });
    expect(texts).toEqual(['Hel']);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(504);
    expect((err as ApiError).message).toContain('Upstream went quiet');
  });
});
