import type { ReactNode } from 'react';
import { useId } from 'react';

import type { FieldError, PolicyField, PolicyFormValues, TextField } from './policy-form';
import { PRESSURE_STRATEGIES, STRATEGIES, TIERS } from './policy-form';

interface FieldsProps {
  values: PolicyFormValues;
  set: <K extends PolicyField>(name: K, value: PolicyFormValues[K]) => void;
  error: FieldError | null;
}

/**
 * The policy's fields, each with its label, a hint and, when the API (or the JSON check) named it,
 * its error: `aria-invalid` and the message tied to the field by `aria-describedby`.
 */
export function PolicyFields({ values, set, error }: FieldsProps) {
  const base = useId();
  const stored = values.storedPressureStrategy;
  const described = (name: PolicyField, hint?: string) => {
    const ids = [hint && `${base}-${name}-hint`, error?.field === name && `${base}-${name}-error`].filter(Boolean);
    return {
      'aria-invalid': error?.field === name ? true : undefined,
      'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined,
    };
  };
  const notes = (name: PolicyField, hint?: string): ReactNode => (
    <>
      {hint && (
        <span id={`${base}-${name}-hint`} className="hint">
          {hint}
        </span>
      )}
      {error?.field === name && (
        <span id={`${base}-${name}-error`} className="error-text field-error">
          {error.message}
        </span>
      )}
    </>
  );
  const text = (name: TextField, label: string, hint?: string) => (
    <div className="field">
      <label htmlFor={`${base}-${name}`}>{label}</label>
      <input
        id={`${base}-${name}`}
        value={values[name]}
        onChange={(event) => set(name, event.target.value)}
        {...described(name, hint)}
      />
      {notes(name, hint)}
    </div>
  );
  const json = (name: 'aliases' | 'tasks', label: string, hint: string) => (
    <div className="field">
      <label htmlFor={`${base}-${name}`}>{label}</label>
      <textarea
        id={`${base}-${name}`}
        rows={4}
        spellCheck={false}
        value={values[name]}
        onChange={(event) => set(name, event.target.value)}
        {...described(name, hint)}
      />
      {notes(name, hint)}
    </div>
  );
  /** A select with its label and, when named, its error. */
  const select = (name: 'strategy' | 'pressureMaxTier' | 'pressureStrategy', label: string, options: ReactNode) => (
    <div className="field">
      <label htmlFor={`${base}-${name}`}>{label}</label>
      <select
        id={`${base}-${name}`}
        value={values[name]}
        onChange={(event) => set(name, event.target.value as PolicyFormValues[typeof name])}
        {...described(name)}
      >
        {options}
      </select>
      {notes(name)}
    </div>
  );
  return (
    <>
      <fieldset className="grid-fields">
        <legend>Models and providers (comma-separated; empty: no restriction)</legend>
        {text('allowModels', 'Allowed models', 'Only these model ids or aliases.')}
        {text('denyModels', 'Denied models')}
        {text('allowProviders', 'Allowed providers', 'As the catalog names them: openai, anthropic, azure, …')}
        {text('denyProviders', 'Denied providers')}
        {text('regions', 'Regions', 'Only deployments in these regions.')}
      </fieldset>
      <fieldset className="grid-fields">
        <legend>Strategy</legend>
        {select(
          'strategy',
          'Order candidates by',
          <>
            <option value="">The default (cheapest capable for auto, catalog order for a model)</option>
            {STRATEGIES.map((strategy) => (
              <option key={strategy.value} value={strategy.value}>
                {strategy.label}
              </option>
            ))}
          </>,
        )}
        {values.strategy === 'balanced' && (
          <>
            {text('weightCost', 'Cost weight')}
            {text('weightQuality', 'Quality weight')}
            {text('weightSpeed', 'Speed weight')}
          </>
        )}
        {values.strategy === 'ordered' &&
          text('order', 'First these models or deployments, in order', 'Comma-separated.')}
        {values.strategy === 'weighted-split' &&
          text('split', 'Weights', 'name=weight, comma-separated: gpt-4.1-mini=90, gpt-4.1=10')}
      </fieldset>
      <fieldset className="grid-fields">
        <legend>Price and retention</legend>
        {text('maxInput', 'Highest input price (USD per million tokens)')}
        {text('maxOutput', 'Highest output price (USD per million tokens)')}
        <div className="field">
          <label className="check">
            <input
              type="checkbox"
              checked={values.zeroRetentionOnly}
              onChange={(event) => set('zeroRetentionOnly', event.target.checked)}
              {...described('zeroRetentionOnly')}
            />
            Zero-retention deployments only
          </label>
          {notes('zeroRetentionOnly')}
        </div>
      </fieldset>
      <fieldset className="grid-fields">
        <legend>Budget pressure</legend>
        {text('pressureAt', 'From this percentage of a budget spent', 'Empty: no budget pressure.')}
        {select(
          'pressureMaxTier',
          'At most this tier',
          <>
            <option value="">Any tier</option>
            {TIERS.map((tier) => (
              <option key={tier} value={tier}>
                {tier}
              </option>
            ))}
          </>,
        )}
        {select(
          'pressureStrategy',
          'Then order by',
          <>
            <option value="">Cheapest capable (the default)</option>
            {stored && !PRESSURE_STRATEGIES.some((strategy) => strategy.value === stored.type) && (
              <option value={stored.type}>{stored.type} (as stored)</option>
            )}
            {PRESSURE_STRATEGIES.map((strategy) => (
              <option key={strategy.value} value={strategy.value}>
                {strategy.label}
              </option>
            ))}
          </>,
        )}
      </fieldset>
      <fieldset className="grid-fields">
        <legend>Aliases and task rules (JSON; empty: none)</legend>
        {json('aliases', 'Aliases', '{"fast": "gpt-4.1-nano", "smart": ["claude-sonnet-4-5", "gpt-4.1-mini"]}')}
        {json('tasks', 'Task rules for auto', '{"code": {"models": ["claude-sonnet-4-5"], "minTier": "frontier"}}')}
      </fieldset>
    </>
  );
}
