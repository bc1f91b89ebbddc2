import { useEffect, useState, type JSX } from 'react';
import type { SluicePreloadApi } from '../../shared/preload-api';

declare global {
  interface Window {
    /** Present in the Electron window (the preload); absent when the page is opened in a browser. */
    readonly sluice?: SluicePreloadApi;
  }
}

type Gateway = { state: 'loading' } | { state: 'ready'; url: string } | { state: 'failed'; message: string };

/** The gateway's URL: from the preload in the app, else the page's own origin (served by the gateway). */
function gatewayUrl(): Promise<string> {
  return window.sluice === undefined ? Promise.resolve(location.origin) : window.sluice.gatewayUrl();
}

/** The environment lines that point each client at the gateway. */
function clientLines(url: string): { client: string; line: string }[] {
  return [
    { client: 'Claude Code', line: `ANTHROPIC_BASE_URL=${url}` },
    { client: 'Codex and OpenAI-compatible tools', line: `OPENAI_BASE_URL=${url}/v1` },
    { client: 'Gemini CLI', line: `GOOGLE_GEMINI_BASE_URL=${url}` },
  ];
}

export function App(): JSX.Element {
  const [gateway, setGateway] = useState<Gateway>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    gatewayUrl().then(
      (url) => {
        if (live) setGateway({ state: 'ready', url });
      },
      (err: unknown) => {
        if (live) setGateway({ state: 'failed', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      live = false;
    };
  }, []);

  return (
    <main className="screen">
      <h1 className="name">Sluice</h1>
      {gateway.state === 'loading' && <p className="status">Starting the gateway…</p>}
      {gateway.state === 'failed' && (
        <p className="status status-failed">Gateway unavailable: {gateway.message}</p>
      )}
      {gateway.state === 'ready' && (
        <>
          <p className="status">
            <span className="dot" aria-hidden="true" />
            Gateway listening on <code>{gateway.url}</code>
          </p>
          <section className="clients" aria-label="Point your tools at Sluice">
            {clientLines(gateway.url).map(({ client, line }) => (
              <div className="client" key={client}>
                <h2>{client}</h2>
                <pre>
                  <code>{line}</code>
                </pre>
              </div>
            ))}
          </section>
        </>
      )}
    </main>
  );
}
