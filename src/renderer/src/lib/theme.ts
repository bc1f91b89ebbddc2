import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';

/** `system` follows prefers-color-scheme; the others override it (kept in localStorage). */
export type ThemeChoice = 'system' | 'dark' | 'light';

const KEY = 'sluice.theme';
const ORDER: readonly ThemeChoice[] = ['system', 'dark', 'light'];

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'dark' || v === 'light' ? v : 'system';
  } catch {
    return 'system';
  }
}

function apply(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

/** Applies the saved choice before the first paint (called from main.tsx). */
export function applyStoredTheme(): void {
  apply(stored());
}

/** The user's choice and a function that cycles system → dark → light. */
export function useThemeChoice(): [ThemeChoice, () => void] {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  useEffect(() => apply(choice), [choice]);
  const cycle = useCallback(() => {
    setChoice((c) => {
      const next = ORDER[(ORDER.indexOf(c) + 1) % ORDER.length] ?? 'system';
      try {
        if (next === 'system') localStorage.removeItem(KEY);
        else localStorage.setItem(KEY, next);
      } catch {
        // private mode: the choice lasts for this page only
      }
      window.dispatchEvent(new Event('sluice-theme'));
      return next;
    });
  }, []);
  return [choice, cycle];
}

const media = (): MediaQueryList => window.matchMedia('(prefers-color-scheme: dark)');

function subscribeDark(l: () => void): () => void {
  const m = media();
  m.addEventListener('change', l);
  window.addEventListener('sluice-theme', l);
  return () => {
    m.removeEventListener('change', l);
    window.removeEventListener('sluice-theme', l);
  };
}

/** Whether the page is dark right now (the override, else the OS); charts redraw when it flips. */
export function useIsDark(): boolean {
  return useSyncExternalStore(subscribeDark, () => {
    const t = document.documentElement.dataset.theme;
    return t === 'dark' || (t !== 'light' && media().matches);
  });
}
