import { describe, expect, it } from 'vitest';
import {
  createFrameAligner,
  createFrameSplitter,
  lastFrameEnd,
  parseFrame,
} from '../../../src/main/proxy/sse-frames';
import { splitBytes } from '../../support/fake-upstream';
import { fixtures } from '../../support/fixtures';

/** Frames with every line ending and blank-line shape the SSE grammar allows, multi-byte text included. */
const FRAMES = [
  'data: {"a":"Grüße"}\n\n',
  'event: delta\r\ndata: {"t":"東京 🗼"}\r\n\r\n',
  'data: cr only 👨‍👩‍👧‍👦\r\r',
  ': a comment\n\n',
  'id: 7\nretry: 10\ndata: x\n\r\n',
  'data: lf then crlf\n\r\n',
  'data: cr then crlf\r\r\n',
  'event: e\rdata: cr lines\r\r',
  'data: crlf then cr\r\n\r',
  'data: multi\ndata: line\n\n',
];
const STREAM = Buffer.from(FRAMES.join(''));

/** Byte offsets where each frame of FRAMES ends. */
const ENDS = FRAMES.reduce<number[]>((acc, f) => [...acc, (acc.at(-1) ?? 0) + Buffer.byteLength(f)], []);
/**
 * Where a frame is also complete: a blank line ending in CRLF is complete at its CR, when the bytes
 * end there (the LF may or may not follow; if it does, it is an empty line of its own).
 */
const CR_ENDS = ENDS.filter((e, i) => FRAMES[i]!.endsWith('\r\n')).map((e) => e - 1);

/** The frames a splitter gives when the stream is cut at `at`: a frame whose final CRLF is cut there ends at its CR, and the LF comes alone. */
function framesCutAt(at: number): { bytes: string; whole: boolean }[] {
  return FRAMES.flatMap((f, i) =>
    CR_ENDS.includes(at) && ENDS[i] === at + 1
      ? [
          { bytes: f.slice(0, -1), whole: true },
          { bytes: '\n', whole: false },
        ]
      : [{ bytes: f, whole: true }],
  );
}

function runSplitter(parts: Buffer[], max?: number): { frames: string[]; rest: string } {
  const s = createFrameSplitter(max);
  const frames = parts.flatMap((p) => s.push(p)).map((f) => f.bytes.toString('utf8'));
  return { frames, rest: s.end()?.bytes.toString('utf8') ?? '' };
}

describe('createFrameSplitter', () => {
  it('cuts LF, CRLF, CR and mixed framing into whole frames', () => {
    expect(runSplitter([STREAM])).toEqual({ frames: FRAMES, rest: '' });
  });

  it('gives the same frames wherever the stream is cut in two, including between CR and LF', () => {
    for (let at = 0; at <= STREAM.length; at++) {
      const s = createFrameSplitter();
      const got = [STREAM.subarray(0, at), STREAM.subarray(at)]
        .flatMap((p) => s.push(p))
        .map((f) => ({ bytes: f.bytes.toString('utf8'), whole: f.whole }));
      expect(got, `cut at ${at}`).toEqual(framesCutAt(at));
      expect(s.end()).toBeNull();
    }
  });

  it('gives the same bytes, in whole frames, fed one byte at a time and at random boundaries', () => {
    const whole = (parts: Buffer[]): void => {
      const s = createFrameSplitter();
      const got = parts.flatMap((p) => s.push(p));
      expect(Buffer.concat(got.map((f) => f.bytes)).equals(STREAM)).toBe(true);
      // Each frame whole, or whole but for its last LF, which then comes alone.
      for (const f of got) {
        const text = f.bytes.toString('utf8');
        if (f.whole) expect(FRAMES.includes(text) || FRAMES.includes(`${text}\n`), text).toBe(true);
        else expect(text).toBe('\n');
      }
      expect(s.end()).toBeNull();
    };
    whole([...STREAM].map((b) => Buffer.from([b])));
    for (const seed of [1, 2, 3, 99]) whole(splitBytes(STREAM, seed, 11));
  });

  it('hands out each frame as soon as its blank line is certain', () => {
    const s = createFrameSplitter();
    const texts = (fs: { bytes: Buffer }[]): string[] => fs.map((f) => f.bytes.toString());
    expect(s.push(Buffer.from('data: a\n'))).toEqual([]);
    expect(texts(s.push(Buffer.from('\n')))).toEqual(['data: a\n\n']);
    expect(texts(s.push(Buffer.from('data: b\r\n\r\n')))).toEqual(['data: b\r\n\r\n']);
    expect(s.push(Buffer.from('data: c\r'))).toEqual([]);
    expect(texts(s.push(Buffer.from('\r')))).toEqual(['data: c\r\r']);
    expect(s.push(Buffer.from('d'))).toEqual([]);
    expect(s.end()).toEqual({ bytes: Buffer.from('d'), whole: false, last: true });
  });

  it('releases a CR-framed event ending at a chunk edge at once; the LF that may follow comes alone (regression: held until 1 MiB or the end)', () => {
    const s = createFrameSplitter();
    const got = (chunk: string): [string, boolean][] =>
      s.push(Buffer.from(chunk)).map((f) => [f.bytes.toString(), f.whole]);
    expect(got('data: a\r\r')).toEqual([['data: a\r\r', true]]);
    expect(got('\ndata: b\r\n\r')).toEqual([
      ['\n', false],
      ['data: b\r\n\r', true],
    ]);
    // The LF after a frame's last CR opens no frame: the next frame starts at its own first byte.
    expect(got('\n')).toEqual([['\n', false]]);
    expect(got('event: e\rdata: c\r\r')).toEqual([['event: e\rdata: c\r\r', true]]);
    expect(got('data: d\n\n')).toEqual([['data: d\n\n', true]]);
    expect(s.end()).toBeNull();
  });

  it('never treats a CRLF cut between its CR and LF as two line ends', () => {
    const s = createFrameSplitter();
    expect(s.push(Buffer.from('data: a\r'))).toEqual([]);
    expect(s.push(Buffer.from('\ndata: b\r'))).toEqual([]);
    expect(s.push(Buffer.from('\n\r\n')).map((f) => f.bytes.toString())).toEqual([
      'data: a\r\ndata: b\r\n\r\n',
    ]);
  });

  it('keeps an unterminated last frame for the end', () => {
    expect(runSplitter([Buffer.from('data: a\n\ndata: [DONE]')])).toEqual({
      frames: ['data: a\n\n'],
      rest: 'data: [DONE]',
    });
    expect(runSplitter([Buffer.from('data: a\n\ndata: b\n')])).toEqual({
      frames: ['data: a\n\n'],
      rest: 'data: b\n',
    });
    expect(runSplitter([])).toEqual({ frames: [], rest: '' });
  });

  it('hands a partial frame past maxFrameBytes on as it is instead of holding more (bounded memory)', () => {
    const s = createFrameSplitter(16);
    const big = Buffer.from(`data: ${'x'.repeat(40)}`);
    const out = s.push(big);
    expect(Buffer.concat(out.map((f) => f.bytes)).equals(big)).toBe(true);
    expect(out.every((f) => !f.whole)).toBe(true);
    expect(s.end()).toBeNull();
    // The rest of that frame is a fragment too; the next frame is whole again.
    expect(s.push(Buffer.from('yy\n\ndata: z\n\n')).map((f) => [f.bytes.toString(), f.whole])).toEqual([
      ['yy\n\n', false],
      ['data: z\n\n', true],
    ]);
  });

  it('loses and adds no byte for every recorded fixture at random boundaries', () => {
    const all = (['openai_chat', 'responses', 'anthropic', 'gemini'] as const).flatMap((f) => fixtures(f));
    for (const fx of all) {
      const { frames, rest } = runSplitter(splitBytes(fx.sse, 5, 200));
      const back = Buffer.concat([...frames.map((f) => Buffer.from(f)), Buffer.from(rest)]);
      expect(back.equals(fx.sse), fx.name).toBe(true);
      expect(
        frames.every((f) => /(\r\n|\r|\n)(\r\n|\r|\n)$/.test(f)),
        fx.name,
      ).toBe(true);
    }
  });
});

describe('parseFrame', () => {
  it('reads the event name and data of each framing', () => {
    expect(parseFrame('data: {"a":1}\n\n')).toEqual({ event: undefined, data: '{"a":1}' });
    expect(parseFrame('event: delta\r\ndata: x\r\n\r\n')).toEqual({ event: 'delta', data: 'x' });
    expect(parseFrame('event: e\rdata: y\r\r')).toEqual({ event: 'e', data: 'y' });
  });

  it('joins data lines with LF and keeps the last event name', () => {
    expect(parseFrame('event: a\ndata: one\nevent: b\ndata: two\r\ndata: three\n\n')).toEqual({
      event: 'b',
      data: 'one\ntwo\nthree',
    });
  });

  it('applies the WHATWG field rules: one optional space, no colon, comments, unknown fields', () => {
    expect(parseFrame('data:no-space\n\n').data).toBe('no-space');
    expect(parseFrame('data:  two spaces\n\n').data).toBe(' two spaces');
    expect(parseFrame('data\n\n').data).toBe('');
    expect(parseFrame('data: a: b\n\n').data).toBe('a: b');
    expect(parseFrame(': comment\nid: 1\nretry: 5\nfoo: bar\n\n')).toEqual({ event: undefined, data: null });
    expect(parseFrame('event:x\n\n')).toEqual({ event: 'x', data: null });
    expect(parseFrame('data: [DONE]')).toEqual({ event: undefined, data: '[DONE]' });
  });
});

describe('lastFrameEnd', () => {
  it('finds the end of the last blank line for each terminator pair', () => {
    expect(lastFrameEnd(Buffer.from('data: a\n\n'))).toBe(9);
    expect(lastFrameEnd(Buffer.from('data: a\r\n\r\n'))).toBe(11);
    expect(lastFrameEnd(Buffer.from('data: a\n\r\n'))).toBe(10);
    expect(lastFrameEnd(Buffer.from('data: a\r\r\n'))).toBe(10);
    expect(lastFrameEnd(Buffer.from('data: a\r\rx'))).toBe(9);
    expect(lastFrameEnd(Buffer.from('data: a\r\n\rx'))).toBe(10);
    expect(lastFrameEnd(Buffer.from('\n\n'))).toBe(2);
  });

  it('answers -1 when no frame is complete yet', () => {
    for (const s of ['', '\n', 'data: a', 'data: a\n', 'data: a\r\n', 'data: a\r']) {
      expect(lastFrameEnd(Buffer.from(s)), JSON.stringify(s)).toBe(-1);
    }
  });

  it('counts a blank line that ends in a CR at the end of the bytes as complete (an LF may follow, as an empty line)', () => {
    expect(lastFrameEnd(Buffer.from('data: a\n\ndata: b\r\r'))).toBe(18);
    expect(lastFrameEnd(Buffer.from('data: a\r\n\r'))).toBe(10);
    expect(lastFrameEnd(Buffer.from('data: a\n\r'))).toBe(9);
  });

  it('matches the known frame ends for every prefix of a mixed stream', () => {
    for (let len = 0; len <= STREAM.length; len++) {
      const prefix = STREAM.subarray(0, len);
      const done = [...ENDS, ...CR_ENDS].filter((e) => e <= len).sort((a, b) => a - b);
      expect(lastFrameEnd(prefix), `prefix ${len}`).toBe(done.at(-1) ?? -1);
    }
  });
});

describe('createFrameAligner', () => {
  function align(parts: Buffer[], max?: number): { outs: Buffer[]; tail: Buffer } {
    const a = createFrameAligner(max);
    const outs = parts.map((p) => a.push(p));
    return { outs, tail: a.tail() };
  }

  it('passes a chunk that ends on a frame boundary through as the same buffer (no copy)', () => {
    const a = createFrameAligner();
    const chunk = Buffer.from('data: a\n\ndata: b\n\n');
    expect(a.push(chunk)).toBe(chunk);
    expect(a.tail().length).toBe(0);
  });

  it('holds the unfinished last frame and releases it with the next boundary', () => {
    const a = createFrameAligner();
    expect(a.push(Buffer.from('data: a\n\ndata: b')).toString()).toBe('data: a\n\n');
    expect(a.push(Buffer.from('c\n')).toString()).toBe('');
    expect(a.push(Buffer.from('\ndata: d')).toString()).toBe('data: bc\n\n');
    expect(a.tail().toString()).toBe('data: d');
    expect(a.tail().length).toBe(0);
  });

  it('emits only whole frames and loses no byte wherever the stream is cut, for every framing', () => {
    const ends = new Set([0, ...ENDS, ...CR_ENDS]);
    for (let at = 0; at <= STREAM.length; at++) {
      for (let at2 = at; at2 <= STREAM.length; at2 += 7) {
        const { outs, tail } = align([
          STREAM.subarray(0, at),
          STREAM.subarray(at, at2),
          STREAM.subarray(at2),
        ]);
        const all = Buffer.concat([...outs, tail]);
        expect(all.equals(STREAM)).toBe(true);
        let sent = 0;
        for (const o of outs) {
          sent += o.length;
          expect(ends.has(sent), `cut at ${at}/${at2}: emitted up to ${sent}`).toBe(true);
        }
      }
    }
  });

  it('lets a held tail past maxTailBytes go as it is', () => {
    const { outs, tail } = align([Buffer.from('data: a\n\ndata: '), Buffer.from('x'.repeat(50))], 16);
    expect(outs.map(String)).toEqual(['data: a\n\n', `data: ${'x'.repeat(50)}`]);
    expect(tail.length).toBe(0);
  });

  it('lets a CR-framed event ending at a chunk edge go at once, and the LF after it with it (regression: held until 1 MiB or the end)', () => {
    const a = createFrameAligner();
    expect(a.push(Buffer.from('data: a\r\r')).toString()).toBe('data: a\r\r');
    expect(a.push(Buffer.from('\n')).toString()).toBe('\n');
    expect(a.push(Buffer.from('data: b\r\n\r')).toString()).toBe('data: b\r\n\r');
    expect(a.push(Buffer.from('\ndata: c')).toString()).toBe('\n');
    expect(a.push(Buffer.from('\r\r')).toString()).toBe('data: c\r\r');
    expect(a.tail().length).toBe(0);
  });

  it('keeps a CRLF-framed fixture whole at every single-byte feed', () => {
    const fx = fixtures('gemini').find((f) => f.sse.includes('\r\n'))!;
    const { outs, tail } = align([...fx.sse].map((b) => Buffer.from([b])));
    expect(Buffer.concat([...outs, tail]).equals(fx.sse)).toBe(true);
  });
});
