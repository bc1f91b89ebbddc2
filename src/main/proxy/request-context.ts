import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ApiFormat, RouteMatch } from '../../shared/api-format';
import type { Settings } from '../../shared/settings';
import type { ClientApp } from '../../shared/usage';
import type { FormatAdapter } from '../../formats';

/** Everything one inbound request carries through the pipeline. Created by the server, owned by the pipeline. */
export interface RequestContext {
  /** 128-bit, hex */
  readonly id: string;
  readonly startedAt: number;
  /** monotonic ms at arrival */
  readonly startMono: number;
  readonly route: RouteMatch;
  readonly format: ApiFormat;
  readonly adapter: FormatAdapter;
  readonly method: string;
  /** Raw query string without `?`. */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly client: ClientApp;
  /** Settings as they were when the request arrived: changes apply to the next request. */
  readonly settings: Settings;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Aborted when the client goes away or the gateway shuts down. */
  readonly abort: AbortController;
  /** The raw inbound body (null for GET). */
  body: Buffer | null;
  /** The body parsed, when it is a JSON object. */
  json: Record<string, unknown> | null;
  /**
   * The body's top-level members as read on arrival: the whole object for a small body; for a large one
   * (body-json.ts) only its small members, so reading it never parses the whole. Absent: none read.
   */
  view?: Readonly<Record<string, unknown>> | null;
  /** Model the client asked for (body `model`, or Gemini's URL). */
  model: string | null;
  stream: boolean;
  /** Sluice added `stream_options.include_usage` and must strip its traces from the client's stream. */
  injectedUsage: boolean;
}
