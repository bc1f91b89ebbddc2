import type { JSX, ReactNode } from 'react';
import { WIRE_FORMAT_NAMES } from '../../../../shared/api-format';
import {
  USER_AGENT_CHOICES,
  defaultFormats,
  toggleFormat,
  userAgentPreview,
  type ProviderForm,
  type UserAgentChoice,
} from './provider-form-model';

/** The provider editor's fields that are more than an input: a labelled field, the User-Agent, the formats. */

export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string | undefined;
  hint?: string;
  children: ReactNode;
}): JSX.Element {
  return (
    <label className={`field${error !== undefined ? ' has-error' : ''}`}>
      <span className="field-label">{label}</span>
      {children}
      {error !== undefined ? (
        <span className="field-error">{error}</span>
      ) : (
        hint !== undefined && <span className="field-hint">{hint}</span>
      )}
    </label>
  );
}

/** The User-Agent select, a custom field when chosen, and exactly what the provider will be sent. */
export function UserAgentField({
  f,
  error,
  set,
}: {
  f: ProviderForm;
  error: string | undefined;
  set: <K extends keyof ProviderForm>(k: K, v: ProviderForm[K]) => void;
}): JSX.Element {
  const preview = userAgentPreview(f);
  return (
    <Field
      label="User-Agent"
      error={error}
      hint={
        preview === null
          ? 'The client’s own passes unchanged; the Test button says Sluice/<version>.'
          : 'Sent on every request to this provider; extra headers still win.'
      }
    >
      <select
        className="input"
        value={f.userAgent}
        aria-label="User-Agent"
        onChange={(e) => set('userAgent', e.target.value as UserAgentChoice)}
      >
        {USER_AGENT_CHOICES.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
      {f.userAgent === 'custom' && (
        <input
          className="input mono"
          value={f.userAgentCustom}
          onChange={(e) => set('userAgentCustom', e.target.value)}
          placeholder="MyClient/1.0"
          aria-label="Custom User-Agent"
          spellCheck={false}
        />
      )}
      {preview !== null && preview.some(([, v]) => v !== '') && (
        <span className="field-hint mono ua-preview" data-testid="user-agent-preview">
          {preview.map(([name, value]) => (
            <span key={name}>
              {name}: {value}
            </span>
          ))}
        </span>
      )}
    </Field>
  );
}

/**
 * The formats the provider accepts, ticked in order of preference: a number shows each one's place, and
 * the first is what requests in other formats are translated to. None ticked = the kind's default,
 * shown greyed with its numbers so the form says what applies.
 */
export function FormatsField({
  f,
  error,
  set,
}: {
  f: ProviderForm;
  error: string | undefined;
  set: <K extends keyof ProviderForm>(k: K, v: ProviderForm[K]) => void;
}): JSX.Element {
  const byDefault = f.formats.length === 0;
  const shown = byDefault ? defaultFormats(f.kind) : f.formats;
  return (
    <div
      className={`field${error !== undefined ? ' has-error' : ''}`}
      role="group"
      aria-labelledby="formats-label"
      data-testid="formats-field"
    >
      <span className="field-label" id="formats-label">
        formats
      </span>
      <span className={`format-picks${byDefault ? ' is-default' : ''}`}>
        {WIRE_FORMAT_NAMES.map((name) => {
          const place = shown.indexOf(name);
          return (
            <label key={name} className="format-pick">
              <input
                type="checkbox"
                checked={!byDefault && place >= 0}
                onChange={() => set('formats', toggleFormat(f.formats, name))}
                aria-label={`accepts ${name}`}
              />
              <span className="mono">{name}</span>
              {place >= 0 && <span className="format-place num">{place + 1}</span>}
            </label>
          );
        })}
      </span>
      {error !== undefined ? (
        <span className="field-error">{error}</span>
      ) : (
        <span className="field-hint">
          {byDefault
            ? `${f.kind}’s default: ${shown.join(', ')}. Tick in order; others are translated to the first.`
            : `Other formats are translated to ${shown[0] ?? ''}.`}
        </span>
      )}
    </div>
  );
}
