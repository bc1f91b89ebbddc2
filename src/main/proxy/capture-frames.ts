import type { BodyFramer, CapturedFrame } from '../../shared/usage-query';
import { createSseDecoder } from './stages/sse-decode';
import { createJsonArraySplitter } from './stages/json-array-split';
import { createUtf8Stream } from './utf8-stream';

/** Most non-SSE text kept from an SSE body as one trailing frame (as the relay's observer keeps it). */
const MAX_STRAY_CHARS = 64 * 1024;

/**
 * The frames of one captured response segment, read by the same decoders the relay uses: the relay
 * stores raw bytes as they arrive (one copy per chunk, no per-event work) and the inspector's frames
 * are made here, when someone looks. A frame's offset is the arrival of the chunk that completed it.
 */
export const framesOfSegment: BodyFramer = (segment) => {
  const frames: CapturedFrame[] = [];
  let offsetMs = 0;
  if (segment.mode === 'sse') {
    const stray: string[] = [];
    let strayChars = 0;
    const decoder = createSseDecoder((event, data) => frames.push({ offsetMs, event: event ?? null, data }), {
      onStrayLine: (line) => {
        if (strayChars + line.length > MAX_STRAY_CHARS) return;
        stray.push(line);
        strayChars += line.length;
      },
      // An event too large to read whole shows as its two ends, a marker saying how much is between.
      onOversized: (o) => {
        if (o.data !== null) frames.push({ offsetMs, event: o.event ?? null, data: o.data });
      },
    });
    for (const part of segment.parts) {
      offsetMs = part.offsetMs;
      decoder.push(part.bytes);
    }
    decoder.end();
    if (stray.length > 0) frames.push({ offsetMs, event: null, data: stray.join('\n') });
  } else if (segment.mode === 'json-array') {
    const splitter = createJsonArraySplitter((json) => frames.push({ offsetMs, event: null, data: json }), {
      onOversized: (standIn) => {
        if (standIn !== null) frames.push({ offsetMs, event: null, data: standIn });
      },
    });
    for (const part of segment.parts) {
      offsetMs = part.offsetMs;
      splitter.push(part.bytes);
    }
    splitter.end();
  } else {
    const decoder = createUtf8Stream();
    let text = '';
    for (const part of segment.parts) {
      offsetMs = part.offsetMs;
      text += decoder.write(part.bytes);
    }
    text += decoder.end();
    if (text.length > 0) frames.push({ offsetMs, event: null, data: text });
  }
  return frames;
};
