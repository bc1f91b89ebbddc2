import type { IncomingMessage, ServerResponse } from 'node:http';

/** A handler the app may mount under `/_sluice/` (the control API and dashboard, later). */
export type ExtraHandler = (req: IncomingMessage, res: ServerResponse) => boolean;
