import { CopyButton } from './copy-button';

/** A value in the one answer that holds it (a secret, an invitation link): shown once, with copy. */
export function ShownOnce({
  title,
  note,
  value,
  copyLabel,
  testId = 'secret',
  onDone,
}: {
  title: string;
  note: string;
  value: string;
  copyLabel: string;
  testId?: string;
  onDone?: () => void;
}) {
  return (
    <section className="secret" aria-labelledby={`${testId}-title`}>
      <h3 id={`${testId}-title`}>{title}</h3>
      <p>{note}</p>
      <div className="secret-value">
        <code data-testid={testId}>{value}</code>
        <CopyButton text={value} label={copyLabel} />
      </div>
      {onDone && (
        <button type="button" onClick={onDone}>
          I have copied it
        </button>
      )}
    </section>
  );
}

/**
 * A secret in the one answer that holds it (a key's, a webhook's signing secret): shown once, with
 * copy. `what` and `name` title it ("Key “ci”"); `kept` says what Polymux keeps instead.
 */
export function SecretOnce({
  what = 'Key',
  name,
  secret,
  kept = 'Polymux keeps only its hash.',
  onDone,
}: {
  what?: string;
  name: string;
  secret: string;
  kept?: string;
  onDone?: () => void;
}) {
  return (
    <ShownOnce
      title={`${what} “${name}” — copy it now`}
      note={`This is the only time the secret is shown. ${kept}`}
      value={secret}
      copyLabel={`Copy the secret of ${name}`}
      {...(onDone ? { onDone } : {})}
    />
  );
}
