import { useEffect, useState, type JSX, type ReactNode } from 'react';
import { formatBytes, formatMs } from '../../lib/format';

interface RowProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: ReactNode;
}

/** One setting: label, control, and the hint (or the error) under it. */
export function SettingRow({ label, hint, error, children }: RowProps): JSX.Element {
  return (
    <div className={`srow${error !== undefined ? ' has-error' : ''}`}>
      <span className="srow-label">{label}</span>
      <span className="srow-control">{children}</span>
      <span className="srow-hint">{error ?? hint}</span>
    </div>
  );
}

interface NumberProps {
  label: string;
  value: number;
  unit: 'ms' | 'bytes' | 'days' | 'chars' | '';
  hint?: string;
  error?: string | undefined;
  onCommit: (v: number) => void;
}

function pretty(v: number, unit: NumberProps['unit']): string {
  if (unit === 'ms') return v >= 1000 ? formatMs(v) : '';
  if (unit === 'bytes') return formatBytes(v);
  return '';
}

/** A number that saves on Enter or when focus leaves (not on every keystroke). */
export function NumberSetting({ label, value, unit, hint, error, onCommit }: NumberProps): JSX.Element {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const commit = (): void => {
    const n = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(n)) return setText(String(value));
    if (n !== value) onCommit(n);
  };
  const shown = pretty(Number(text) || 0, unit);
  return (
    <SettingRow label={label} hint={[shown, hint].filter(Boolean).join(' · ')} error={error}>
      <input
        className="input num short"
        inputMode="numeric"
        value={text}
        aria-label={label}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setText(String(value));
        }}
      />
      {unit !== '' && <span className="unit">{unit}</span>}
    </SettingRow>
  );
}

interface ToggleProps {
  label: string;
  value: boolean;
  hint?: string;
  error?: string | undefined;
  onCommit: (v: boolean) => void;
}

export function ToggleSetting({ label, value, hint, error, onCommit }: ToggleProps): JSX.Element {
  return (
    <SettingRow label={label} hint={hint} error={error}>
      <input
        type="checkbox"
        checked={value}
        aria-label={label}
        onChange={(e) => onCommit(e.target.checked)}
      />
    </SettingRow>
  );
}

interface ListProps {
  label: string;
  value: readonly string[];
  hint?: string;
  error?: string | undefined;
  placeholder?: string;
  onCommit: (v: string[]) => void;
}

/** A list of strings, one a line, saved when focus leaves. */
export function ListSetting({ label, value, hint, error, placeholder, onCommit }: ListProps): JSX.Element {
  const joined = value.join('\n');
  const [text, setText] = useState(joined);
  useEffect(() => setText(joined), [joined]);
  const commit = (): void => {
    const next = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (next.join('\n') !== joined) onCommit(next);
  };
  return (
    <SettingRow label={label} hint={hint} error={error}>
      <textarea
        className="input mono"
        rows={Math.max(2, value.length + 1)}
        value={text}
        aria-label={label}
        placeholder={placeholder}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
      />
    </SettingRow>
  );
}
