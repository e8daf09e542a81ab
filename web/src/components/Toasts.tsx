import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { Icon } from "./Icon";

type ToastTone = "success" | "error" | "info";
interface Toast {
  id: number;
  tone: ToastTone;
  message: string;
  detail?: string | undefined;
}

interface Toaster {
  show: (tone: ToastTone, message: string, detail?: string) => void;
  success: (message: string) => void;
  error: (message: string, detail?: string) => void;
  info: (message: string) => void;
}

const ToastContext = createContext<Toaster | null>(null);

/**
 * Toasts, announced to screen readers through two live regions that exist from the start (a
 * region added together with its text is often not read): polite for news, assertive for errors.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const { t } = useI18n();

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((x) => x.id !== id)), []);
  const show = useCallback(
    (tone: ToastTone, message: string, detail?: string) => {
      const id = next.current++;
      setToasts((all) => [...all.slice(-2), { id, tone, message, detail }]);
      window.setTimeout(() => dismiss(id), tone === "error" ? 9000 : 4000);
    },
    [dismiss],
  );
  const api = useMemo<Toaster>(
    () => ({
      show,
      success: (m) => show("success", m),
      error: (m, d) => show("error", m, d),
      info: (m) => show("info", m),
    }),
    [show],
  );

  const render = (tones: ToastTone[]) =>
    toasts
      .filter((x) => tones.includes(x.tone))
      .map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.tone}`}>
          <Icon name={toast.tone === "success" ? "check" : toast.tone === "error" ? "warning" : "info"} size={18} />
          <div className="toast-text">
            <p>{toast.message}</p>
            {toast.detail && <p className="toast-detail">{toast.detail}</p>}
          </div>
          <button type="button" className="btn btn-ghost btn-icon" aria-label={t("common.dismiss")} onClick={() => dismiss(toast.id)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ));

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts">
        <div role="status" aria-live="polite" aria-atomic="false" className="toast-region">
          {render(["success", "info"])}
        </div>
        <div role="alert" aria-live="assertive" aria-atomic="false" className="toast-region">
          {render(["error"])}
        </div>
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Toaster {
  const value = useContext(ToastContext);
  if (!value) throw new Error("useToast outside ToastProvider");
  return value;
}
