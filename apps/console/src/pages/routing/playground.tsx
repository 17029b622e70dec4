import type { FormEvent } from 'react';
import { useId, useState } from 'react';

import { ApiError, remedyOf } from '../../api/errors';
import type { RoutingExplanation } from '../../api/types';
import { useCreatedKeys } from '../../auth/created-keys';
import type { ExplainField, ExplainValues, Role } from './explain-request';
import { EMPTY_REQUEST, ROLES, RequestProblem, chatBodyOf, explain, explainFieldOf } from './explain-request';
import { ExplanationView } from './explanation-view';

const PASTE = 'paste';

/** What to do about a refusal: the API key's, not the console's sign-in. */
const explainRemedy = (error: unknown): string => {
  if (error instanceof RequestProblem) return 'Correct the marked field and send again.';
  if (error instanceof ApiError && error.status === 401)
    return 'The API key was refused (mistyped, revoked or expired): use another one.';
  if (error instanceof ApiError && error.status === 403)
    return 'The key may not do this: its allowed endpoints must include Routing explain, and its models this one.';
  return remedyOf(error);
};

/**
 * Sends a chat request to `POST /v1/routing/explain` with an API key and shows how it would be
 * routed. What is typed here is prompt content: it stays in this component's state (never in any
 * storage, a URL, the query cache or a log) and is gone when the page is left.
 */
export function Playground({ dataPlane }: { dataPlane: string }) {
  const base = useId();
  const created = useCreatedKeys();
  const [keyChoice, setKeyChoice] = useState<string>(created[0]?.id ?? PASTE);
  const [pasted, setPasted] = useState('');
  const [values, setValues] = useState<ExplainValues>(EMPTY_REQUEST);
  const [sending, setSending] = useState(false);
  const [answer, setAnswer] = useState<RoutingExplanation | null>(null);
  const [failure, setFailure] = useState<{ error: unknown; field: ExplainField | null } | null>(null);
  const chosen = created.find((key) => key.id === keyChoice);
  const apiKey = chosen?.secret ?? pasted;

  const setMessage = (index: number, change: Partial<ExplainValues['messages'][number]>) =>
    setValues((current) => ({
      ...current,
      messages: current.messages.map((message, at) => (at === index ? { ...message, ...change } : message)),
    }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setSending(true);
    try {
      setAnswer(await explain(dataPlane, apiKey, chatBodyOf(values)));
    } catch (error) {
      setAnswer(null);
      setFailure({
        error,
        field:
          error instanceof RequestProblem
            ? error.field
            : error instanceof ApiError
              ? explainFieldOf(error.param)
              : null,
      });
    } finally {
      setSending(false);
    }
  };
  const invalid = (field: ExplainField) =>
    failure?.field === field ? { 'aria-invalid': true, 'aria-describedby': `${base}-failure` } : {};

  return (
    <section aria-labelledby="playground-title">
      <h2 id="playground-title">Playground</h2>
      <p className="hint">
        Sends a chat request to <code>{dataPlane}/v1/routing/explain</code> with an API key: the router decides as for a
        call, under that key’s policies, but nothing is reserved, charged or sent to a provider. What you type here is
        kept nowhere.
      </p>
      <form className="playground" onSubmit={(event) => void submit(event)} aria-label="Explain a request">
        <div className="picker">
          {created.length > 0 && (
            <label>
              API key
              <select value={keyChoice} onChange={(event) => setKeyChoice(event.target.value)}>
                {created.map((key) => (
                  <option key={key.id} value={key.id}>
                    {key.name} (created in this tab)
                  </option>
                ))}
                <option value={PASTE}>Paste a key…</option>
              </select>
            </label>
          )}
          {!chosen && (
            <label>
              {created.length > 0 ? 'Pasted key' : 'API key'}
              <input
                type="password"
                autoComplete="off"
                required
                value={pasted}
                placeholder="pmx-…"
                onChange={(event) => setPasted(event.target.value)}
              />
            </label>
          )}
          <label>
            Model
            <input
              required
              value={values.model}
              onChange={(event) => setValues({ ...values, model: event.target.value })}
              {...invalid('model')}
            />
          </label>
        </div>
        <fieldset
          className="messages"
          {...(failure?.field === 'messages' ? { 'aria-describedby': `${base}-failure` } : {})}
        >
          <legend>Messages</legend>
          {values.messages.map((message, index) => (
            <div className="message" key={index}>
              <label>
                Role of message {index + 1}
                <select
                  value={message.role}
                  onChange={(event) => setMessage(index, { role: event.target.value as Role })}
                >
                  {ROLES.map((role) => (
                    <option key={role} value={role}>
                      {role}
                    </option>
                  ))}
                </select>
              </label>
              <label className="grow">
                Content of message {index + 1}
                <textarea
                  rows={3}
                  value={message.content}
                  onChange={(event) => setMessage(index, { content: event.target.value })}
                />
              </label>
              {values.messages.length > 1 && (
                <button
                  type="button"
                  aria-label={`Remove message ${index + 1}`}
                  onClick={() => setValues({ ...values, messages: values.messages.filter((_, at) => at !== index) })}
                >
                  Remove
                </button>
              )}
            </div>
          ))}
          <button
            type="button"
            onClick={() => setValues({ ...values, messages: [...values.messages, { role: 'user', content: '' }] })}
          >
            Add a message
          </button>
        </fieldset>
        <div className="grid-fields">
          <label>
            Tools (JSON, optional)
            <textarea
              rows={3}
              spellCheck={false}
              value={values.tools}
              placeholder='[{"type": "function", "function": {"name": "search", "parameters": {"type": "object"}}}]'
              onChange={(event) => setValues({ ...values, tools: event.target.value })}
              {...invalid('tools')}
            />
          </label>
          <label>
            response_format (JSON, optional)
            <textarea
              rows={3}
              spellCheck={false}
              value={values.responseFormat}
              placeholder='{"type": "json_object"}'
              onChange={(event) => setValues({ ...values, responseFormat: event.target.value })}
              {...invalid('responseFormat')}
            />
          </label>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={sending || !apiKey.trim()}>
            {sending ? 'Explaining…' : 'Explain routing'}
          </button>
        </div>
      </form>
      {failure && (
        <div id={`${base}-failure`} className="state error" role="alert">
          <p className="state-title">
            Could not explain the request:{' '}
            {failure.error instanceof Error ? failure.error.message : String(failure.error)}
          </p>
          <p>{explainRemedy(failure.error)}</p>
        </div>
      )}
      {answer && <ExplanationView explanation={answer} />}
    </section>
  );
}
