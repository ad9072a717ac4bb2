import { type ReactNode, useEffect, useId, useRef } from "react";

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** An element id inside the dialog to focus first (defaults to the first field). */
  initialFocus?: string;
  wide?: boolean;
}

/**
 * A modal built on the native <dialog>: focus is trapped and restored by the
 * browser, Escape closes it, and the rest of the page is inert.
 */
export function Dialog({ title, onClose, children, initialFocus, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  // biome-ignore lint/correctness/useExhaustiveDependencies: mount-only by design — the dialog opens when rendered and closes when unmounted; initialFocus is read once, at opening (re-running would close, reopen and refocus it)
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
    else dialog.setAttribute("open", "");
    const target = initialFocus ? document.getElementById(initialFocus) : dialog.querySelector<HTMLElement>("input, textarea, select");
    target?.focus();
    const onCancel = (e: Event) => {
      e.preventDefault();
      onCloseRef.current();
    };
    dialog.addEventListener("cancel", onCancel);
    return () => {
      dialog.removeEventListener("cancel", onCancel);
      if (dialog.open && typeof dialog.close === "function") dialog.close();
      // Back to where the user was; if that control is gone (e.g. a deleted task's button), to the page.
      if (opener?.isConnected) opener.focus();
      else document.getElementById("main")?.focus();
    };
  }, []);

  return (
    <dialog ref={ref} className={wide ? "dialog dialog-wide" : "dialog"} aria-labelledby={titleId}>
      <div className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
  children?: ReactNode;
}

/** "Are you sure?" — the confirm button is focused only for harmless actions. */
export function ConfirmDialog({ title, confirmLabel, danger, busy, error, onConfirm, onCancel, children }: ConfirmProps) {
  const cancelId = useId();
  return (
    <Dialog title={title} onClose={onCancel} initialFocus={cancelId}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) onConfirm();
        }}
      >
        <div className="dialog-body">{children}</div>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" id={cancelId} onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className={danger ? "danger" : "primary"} disabled={busy}>
            {busy ? "Working…" : confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
