import type { ServerResponse } from 'node:http';

/** Resolves once the response takes more bytes, or has closed (a closed one never drains). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
