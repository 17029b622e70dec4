import type { ReactNode } from 'react';
import { useEffect, useId, useRef } from 'react';

/**
 * A modal dialog on the native <dialog>: focus moves into it and stays there, Escape closes it,
 * and focus returns to what opened it.
 */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onCancel={onClose} className="dialog">
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** A form's submit button (disabled while it is sent) and its Cancel. */
export function FormActions({ submit, pending, onCancel }: { submit: string; pending: boolean; onCancel: () => void }) {
  return (
    <div className="actions">
      <button type="submit" className="primary" disabled={pending}>
        {submit}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
