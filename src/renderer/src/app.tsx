import { lazy, Suspense, useCallback, useState, type JSX } from 'react';
import { InspectorScreen } from './features/inspector/inspector-screen';
import { LiveScreen } from './features/live/live-screen';
import { ProvidersScreen } from './features/providers/providers-screen';
import { SettingsScreen } from './features/settings/settings-screen';
import { SetupScreen } from './features/setup/setup-screen';
import { useShortcuts } from './lib/keys';
import { screenForKey, type Screen } from './lib/route';
import { useRoute } from './lib/use-route';
import { TopBar } from './top-bar';

// Charts (uPlot) load with the Usage screen, not with the window.
const UsageScreen = lazy(() =>
  import('./features/usage/usage-screen').then((m) => ({ default: m.UsageScreen })),
);

/** The window: a top bar with the six screens, and the current screen. 1–6 switch, Esc goes back. */
export function App(): JSX.Element {
  const [route, navigate] = useRoute();
  const [selectedId, setSelectedId] = useState<string | null>(route.requestId);
  const inspected = route.requestId ?? selectedId;

  const go = useCallback(
    (screen: Screen) => navigate({ screen, requestId: screen === 'inspector' ? inspected : null }),
    [navigate, inspected],
  );
  const open = useCallback(
    (id: string) => {
      setSelectedId(id);
      navigate({ screen: 'inspector', requestId: id });
    },
    [navigate],
  );

  useShortcuts((e) => {
    const screen = screenForKey(e.key);
    if (screen !== null) {
      go(screen);
      e.preventDefault();
    } else if (e.key === 'Escape' && route.screen === 'inspector') {
      navigate({ screen: 'live', requestId: null });
      e.preventDefault();
    } else if (e.key === 'Escape' && document.activeElement instanceof HTMLElement) {
      document.activeElement.blur();
    }
  });

  return (
    <div className="app">
      <TopBar screen={route.screen} onGo={go} />
      <main className="main">
        {route.screen === 'live' && (
          <LiveScreen selectedId={selectedId} onSelect={setSelectedId} onOpen={open} onGo={go} />
        )}
        {route.screen === 'inspector' && (
          <InspectorScreen
            requestId={inspected}
            onBack={() => navigate({ screen: 'live', requestId: null })}
          />
        )}
        {route.screen === 'usage' && (
          <Suspense fallback={<section className="screen" aria-busy="true" />}>
            <UsageScreen />
          </Suspense>
        )}
        {route.screen === 'providers' && <ProvidersScreen />}
        {route.screen === 'settings' && <SettingsScreen />}
        {route.screen === 'setup' && <SetupScreen />}
      </main>
    </div>
  );
}
