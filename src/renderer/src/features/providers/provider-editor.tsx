import { useState, type JSX } from 'react';
import type { ProviderView } from '../../../../shared/ipc-contract';
import { api } from '../../api';
import {
  BASE_URL_HINT,
  credentialsDropped,
  toInput,
  type ProviderForm,
  type ProviderKind,
} from './provider-form-model';
import { KeyPoolEditor } from './key-pool-editor';

import { Field, FormatsField, UserAgentField } from './provider-fields';

interface Props {
  initial: ProviderForm;
  existing: ProviderView | null;
  /** Priority for a new provider (after the last one). */
  nextPriority: number;
  onSaved: (p: ProviderView) => void;
  onCancel: () => void;
}

/**
 * Add or edit a provider. The key field and secret headers are write-only: they show a masked preview,
 * never the value.
 */
export function ProviderEditor({ initial, existing, nextPriority, onSaved, onCancel }: Props): JSX.Element {
  const [f, setF] = useState<ProviderForm>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof ProviderForm>(k: K, v: ProviderForm[K]): void => {
    setF((old) => ({ ...old, [k]: v }));
    // A field's complaint goes once it is edited, so a fixed value never sits under a stale error.
    setErrors((old) => {
      if (!(k in old)) return old;
      const { [k]: _gone, ...rest } = old;
      return rest;
    });
  };

  const save = (): void => {
    const r = toInput(f, existing, nextPriority);
    if (!r.ok) return setErrors(r.errors);
    setErrors({});
    setSaving(true);
    void api.call('providers.save', { provider: r.input }).then((res) => {
      setSaving(false);
      if (res.ok) onSaved(res.value);
      else setErrors({ form: res.error.message });
    });
  };

  const num = (
    k:
      | 'rpm'
      | 'maxConcurrentStreams'
      | 'weight'
      | 'connectTimeoutMs'
      | 'firstByteTimeoutMs'
      | 'idleTimeoutMs'
      | 'prefetchMaxMs',
    label: string,
    hint: string,
  ): JSX.Element => (
    <Field label={label} error={errors[k]} hint={hint}>
      <input
        className="input num"
        inputMode="numeric"
        value={f[k]}
        onChange={(e) => set(k, e.target.value)}
        placeholder="default"
      />
    </Field>
  );

  return (
    <form
      className="editor"
      aria-label={existing === null ? 'Add provider' : `Edit ${existing.id}`}
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <h2>{existing === null ? 'Add a provider' : `Edit ${existing.id}`}</h2>
      <div className="form-grid">
        <Field label="id" error={errors.id} hint="letters, digits, . - _">
          <input
            className="input mono"
            value={f.id}
            disabled={existing !== null}
            autoFocus={existing === null}
            onChange={(e) => set('id', e.target.value)}
            placeholder="anthropic-main"
            spellCheck={false}
          />
        </Field>
        <Field label="kind" error={errors.kind}>
          <select
            className="input"
            value={f.kind}
            onChange={(e) => set('kind', e.target.value as ProviderKind)}
          >
            <option value="anthropic">anthropic</option>
            <option value="openai">openai (Chat + Responses)</option>
            <option value="gemini">gemini</option>
          </select>
        </Field>
        <Field
          label="base URL"
          error={errors.baseUrl}
          hint={
            credentialsDropped(f, existing)
              ? 'Another host: the saved key and secret headers are dropped unless you type them again.'
              : BASE_URL_HINT[f.kind]
          }
        >
          <input
            className="input mono wide"
            value={f.baseUrl}
            onChange={(e) => set('baseUrl', e.target.value)}
            placeholder={BASE_URL_HINT[f.kind].split(' ')[0]}
            spellCheck={false}
          />
        </Field>
        <Field
          label="API key"
          error={errors.apiKey}
          hint={
            existing?.hasKey
              ? 'Saved. Type a new key to replace it.'
              : 'Empty: the tool’s own key passes through.'
          }
        >
          <span className="key-row">
            <input
              className="input mono"
              type="password"
              autoComplete="off"
              value={f.apiKey}
              disabled={f.removeKey}
              onChange={(e) => set('apiKey', e.target.value)}
              placeholder={existing?.keyPreview ?? 'sk-…'}
              aria-label="API key (write-only)"
            />
            {existing?.hasKey && (
              <label className="inline">
                <input
                  type="checkbox"
                  checked={f.removeKey}
                  onChange={(e) => set('removeKey', e.target.checked)}
                />
                remove saved key
              </label>
            )}
          </span>
        </Field>
        <KeyPoolEditor pool={f.pool} existing={existing} onChange={(pool) => set('pool', pool)} />
        <Field label="enabled">
          <input type="checkbox" checked={f.enabled} onChange={(e) => set('enabled', e.target.checked)} />
        </Field>
        <Field label="model map" error={errors.models} hint="requested = upstream, one a line">
          <textarea
            className="input mono"
            rows={3}
            value={f.models}
            onChange={(e) => set('models', e.target.value)}
            placeholder="claude-x = claude-sonnet-4-5"
            spellCheck={false}
          />
        </Field>
        <Field label="only these models" error={errors.allowModels} hint="names or * globs; empty = all">
          <textarea
            className="input mono"
            rows={3}
            value={f.allowModels}
            onChange={(e) => set('allowModels', e.target.value)}
            placeholder="claude-*"
            spellCheck={false}
          />
        </Field>
        <Field
          label="extra headers"
          error={errors.headers}
          hint="Name: value, one a line; credentials go below"
        >
          <textarea
            className="input mono"
            rows={3}
            value={f.headers}
            onChange={(e) => set('headers', e.target.value)}
            spellCheck={false}
          />
        </Field>
        <Field
          label="secret headers"
          error={errors.secretHeaders}
          hint="Name: value, one a line (api-key, Authorization…): sealed, never shown again; empty keeps the saved ones"
        >
          {f.savedSecrets.map((h) => (
            <span key={h.name} className="key-row mono" data-testid="saved-secret-header">
              {h.name}: {h.preview}
              <label className="inline">
                <input
                  type="checkbox"
                  checked={f.removeHeaders.includes(h.name)}
                  onChange={(e) =>
                    set(
                      'removeHeaders',
                      e.target.checked
                        ? [...f.removeHeaders, h.name]
                        : f.removeHeaders.filter((n) => n !== h.name),
                    )
                  }
                />
                remove
              </label>
            </span>
          ))}
          <textarea
            className="input mono"
            rows={2}
            value={f.secretHeaders}
            onChange={(e) => set('secretHeaders', e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-label="secret headers (write-only)"
            placeholder="api-key: …"
          />
        </Field>
        <UserAgentField f={f} error={errors.userAgent} set={set} />
        {num('rpm', 'requests / min', 'limit; empty = none')}
        {num('maxConcurrentStreams', 'concurrent streams', 'limit; empty = none')}
        {num('weight', 'weight', 'share among equal priority (and weighted routes); empty = 1, no sharing')}
        {num('connectTimeoutMs', 'connect timeout ms', 'empty = the global setting')}
        {num('firstByteTimeoutMs', 'first byte timeout ms', 'empty = the global setting')}
        {num('idleTimeoutMs', 'idle timeout ms', 'empty = the global setting')}
        {num('prefetchMaxMs', 'prefetch max ms', 'empty = the global setting')}
        <FormatsField f={f} error={errors.formats} set={set} />
        <Field
          label="max output tokens"
          error={errors.maxOutputTokens}
          hint="a translated request’s max tokens is clamped to it; empty = none"
        >
          <input
            className="input num"
            inputMode="numeric"
            value={f.maxOutputTokens}
            onChange={(e) => set('maxOutputTokens', e.target.value)}
            placeholder="no clamp"
          />
        </Field>
        <Field
          label="replay reasoning"
          hint="send reasoning back on tool turns — DeepSeek needs it, Kimi rejects it"
        >
          <input
            type="checkbox"
            checked={f.replayReasoning}
            onChange={(e) => set('replayReasoning', e.target.checked)}
          />
        </Field>
      </div>
      {errors.form !== undefined && (
        <div className="error-note" role="alert">
          {errors.form}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <span className="muted">Changes apply to the next request.</span>
      </div>
    </form>
  );
}
