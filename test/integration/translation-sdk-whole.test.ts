import { describe, expect, it } from 'vitest';
import {
  API_FORMAT,
  CLIENT_MODEL,
  TEXT_TURN,
  TOOL_TURN,
  UPSTREAM_MODEL,
  WIRES,
  clientStop,
  clientUsage,
  knownIds,
  rowAfter,
  runClient,
  useForeign,
  toolTurnUsage,
  upstreamPath,
  wholeTextTurn,
  wholeToolTurn,
} from '../support/translation-rig';

/**
 * Every direction, non-streaming: each provider format answers one whole JSON body (a text turn, and a
 * turn with reasoning, text, two parallel tool calls and cached input), and the official SDK of each
 * other format, calling without streaming, gets the same turn in its own shape and usage convention.
 */

for (const provider of WIRES) {
  describe(`whole answers from a ${provider} provider`, () => {
    const foreign = useForeign(provider);

    for (const client of WIRES.filter((w) => w !== provider)) {
      it(`${client} client ← ${provider}: text`, async () => {
        foreign.answer({ whole: wholeTextTurn(provider) });
        const before = knownIds(foreign.sluice);
        const got = await runClient(client, foreign.sluice.url, false);

        const rec = foreign.up.requests.at(-1)!;
        expect(rec.url).toBe(upstreamPath(provider, false));
        expect((rec.json as { stream?: unknown }).stream ?? false).toBe(false);

        expect(got.text).toBe(TEXT_TURN.text);
        expect(got.calls).toEqual([]);
        expect(got.thinking).toBe('');
        expect(got.stop).toBe(clientStop(client, 'end'));
        const u = TEXT_TURN.usage;
        expect(got.usage).toMatchObject(
          clientUsage(client, {
            inputTokens: u.input,
            cacheReadTokens: null,
            cacheWriteTokens: null,
            cacheWrite5mTokens: null,
            cacheWrite1hTokens: null,
            outputTokens: u.output,
            reasoningTokens: null,
          }),
        );

        const row = await rowAfter(foreign.sluice, before);
        expect(row).toMatchObject({
          status: 'completed',
          httpStatus: 200,
          format: API_FORMAT[client],
          model: CLIENT_MODEL,
          upstreamModel: UPSTREAM_MODEL,
          provider: `p-${provider}`,
          stream: false,
          inputTokens: u.input,
          outputTokens: u.output,
        });
      });

      it(`${client} client ← ${provider}: reasoning, text, two parallel tool calls, cached input`, async () => {
        foreign.answer({ whole: wholeToolTurn(provider) });
        const before = knownIds(foreign.sluice);
        const got = await runClient(client, foreign.sluice.url, false);

        expect(got.text).toBe(TOOL_TURN.text);
        expect(got.thinking).toBe(TOOL_TURN.thinking);
        expect(got.calls.map((c) => [c.name, c.args])).toEqual(TOOL_TURN.calls.map((c) => [c.name, c.args]));
        if (client !== 'gemini') {
          if (provider === 'gemini') {
            // Gemini's calls carry no id: each gets one, distinct, within every vendor's limits.
            const ids = got.calls.map((c) => c.id);
            for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
            expect(new Set(ids).size).toBe(2);
          } else expect(got.calls.map((c) => c.id)).toEqual(TOOL_TURN.calls.map((c) => c.id));
        }
        expect(got.stop).toBe(clientStop(client, 'tool'));
        const usage = toolTurnUsage(provider);
        expect(got.usage).toMatchObject(clientUsage(client, usage));

        const row = await rowAfter(foreign.sluice, before);
        expect(row).toMatchObject({
          status: 'completed',
          provider: `p-${provider}`,
          stream: false,
          inputTokens: TOOL_TURN.usage.input,
          cacheReadTokens: TOOL_TURN.usage.cacheRead,
          outputTokens: TOOL_TURN.usage.output,
        });
      });
    }
  });
}
