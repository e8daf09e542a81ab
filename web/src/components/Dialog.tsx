import { useEffect, useId, useRef, type FormEvent, type ReactNode } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { Button } from "./ui";
import { Icon } from "./Icon";

/**
 * A modal dialog on the native <dialog> element: showModal() makes the rest of the page inert
 * (focus stays inside), Escape closes it, and focus returns to the control that opened it.
 */
export function Dialog({ open, onClose, title, description, children, footer, size = "md", onSubmit }: { open: boolean; onClose: () => void; title: string; description?: ReactNode; children: ReactNode; footer?: ReactNode; size?: "sm" | "md" | "lg"; onSubmit?: (e: FormEvent<HTMLFormElement>) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const titleId = useId();
  const descriptionId = useId();
  const { t } = useI18n();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const onCancel = (e: Event) => {
      e.preventDefault();
      onClose();
    };
    const onClosed = () => {
      const el = opener.current;
      if (el instanceof HTMLElement && el.isConnected) el.focus();
    };
    dialog.addEventListener("cancel", onCancel);
    dialog.addEventListener("close", onClosed);
    return () => {
      dialog.removeEventListener("cancel", onCancel);
      dialog.removeEventListener("close", onClosed);
    };
  }, [onClose]);

  const content = (
    <>
      <div className="dialog-header">
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        <button type="button" className="btn btn-ghost btn-icon" aria-label={t("common.close")} onClick={onClose}>
          <Icon name="close" size={18} />
        </button>
      </div>
      {description && (
        <div id={descriptionId} className="dialog-description">
          {description}
        </div>
      )}
      <div className="dialog-body">{open && children}</div>
      {footer && <div className="dialog-footer">{footer}</div>}
    </>
  );

  return (
    <dialog ref={ref} className={`dialog dialog-${size}`} aria-labelledby={titleId} aria-describedby={description ? descriptionId : undefined}>
      {onSubmit ? (
        <form
          className="dialog-form"
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit(e);
          }}
          noValidate
        >
          {content}
        </form>
      ) : (
        content
      )}
    </dialog>
  );
}

export function ConfirmDialog({ open, onClose, onConfirm, title, children, confirmLabel, busy, danger = true }: { open: boolean; onClose: () => void; onConfirm: () => void; title: string; children: ReactNode; confirmLabel: string; busy?: boolean; danger?: boolean }) {
  const { t } = useI18n();
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      size="sm"
      onSubmit={onConfirm}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant={danger ? "danger" : "primary"} busy={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
