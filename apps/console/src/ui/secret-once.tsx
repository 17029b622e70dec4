import type { KeyWithSecret } from '../api/types';
import { CopyButton } from './copy-button';

/** A key's secret, in the one answer that holds it: shown once, with copy. */
export function SecretOnce({ created, onDone }: { created: KeyWithSecret; onDone?: () => void }) {
  return (
    <section className="secret" aria-labelledby="secret-title">
      <h3 id="secret-title">Key “{created.name}” — copy it now</h3>
      <p>This is the only time the secret is shown. Polymux keeps only its hash.</p>
      <div className="secret-value">
        <code data-testid="secret">{created.key}</code>
        <CopyButton text={created.key} label={`Copy the secret of ${created.name}`} />
      </div>
      {onDone && (
        <button type="button" onClick={onDone}>
          I have copied it
        </button>
      )}
    </section>
  );
}
