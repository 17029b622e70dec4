import { CopyButton } from './copy-button';

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
    <section className="secret" aria-labelledby="secret-title">
      <h3 id="secret-title">
        {what} “{name}” — copy it now
      </h3>
      <p>This is the only time the secret is shown. {kept}</p>
      <div className="secret-value">
        <code data-testid="secret">{secret}</code>
        <CopyButton text={secret} label={`Copy the secret of ${name}`} />
      </div>
      {onDone && (
        <button type="button" onClick={onDone}>
          I have copied it
        </button>
      )}
    </section>
  );
}
