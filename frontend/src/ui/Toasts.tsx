import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";

export type ToastTone = "info" | "success" | "error";
interface Toast {
  id: number;
  message: string;
  tone: ToastTone;
}

type Notify = (message: string, tone?: ToastTone) => void;
const ToastContext = createContext<Notify>(() => undefined);

/** Short messages in a live region: polite for news, assertive for errors. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const notify = useCallback<Notify>(
    (message, tone = "info") => {
      const id = nextId.current++;
      setToasts((ts) => [...ts.slice(-2), { id, message, tone }]);
      window.setTimeout(() => dismiss(id), tone === "error" ? 10_000 : 4_000);
    },
    [dismiss],
  );

  const value = useMemo(() => notify, [notify]);
  const render = (tone: "polite" | "assertive") =>
    toasts
      .filter((t) => (t.tone === "error") === (tone === "assertive"))
      .map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`}>
          <span>{t.message}</span>
          <button type="button" className="icon-button" onClick={() => dismiss(t.id)} aria-label="Dismiss message">
            ×
          </button>
        </div>
      ));

  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts">
        <div role="status" aria-live="polite">
          {render("polite")}
        </div>
        <div role="alert" aria-live="assertive">
          {render("assertive")}
        </div>
      </div>
    </ToastContext.Provider>
  );
}

export function useNotify(): Notify {
  return useContext(ToastContext);
}
