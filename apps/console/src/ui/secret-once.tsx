import type { KeyWithSecret } from '../api/types';
import { CopyButton } from './copy-button';

/** A secret in the one answer that holds it: shown once, with copy. */
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

/** A key's secret, in the one answer that holds it: shown once, with copy. */
export function SecretOnce({ created, onDone }: { created: KeyWithSecret; onDone?: () => void }) {
  return (
    <ShownOnce
      title={`Key “${created.name}” — copy it now`}
      note="This is the only time the secret is shown. Polymux keeps only its hash."
      value={created.key}
      copyLabel={`Copy the secret of ${created.name}`}
      {...(onDone ? { onDone } : {})}
    />
  );
}
