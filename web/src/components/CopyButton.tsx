import { useState } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { Button } from "./ui";
import { useToast } from "./Toasts";

/** Copies `text` to the clipboard (or selects it for Ctrl+C where the clipboard API is missing). */
export function CopyButton({ text, label, size = "sm", variant = "secondary" }: { text: string; label?: string; size?: "sm" | "md"; variant?: "primary" | "secondary" | "ghost" }) {
  const { t } = useI18n();
  const toast = useToast();
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(true);
      toast.success(t("common.copied"));
      window.setTimeout(() => setDone(false), 2000);
    } catch {
      toast.error(t("common.copyFailed"));
    }
  };
  return (
    <Button size={size} variant={variant} icon={done ? "check" : "copy"} onClick={copy}>
      {label ?? t("common.copy")}
    </Button>
  );
}

/** A secret or link shown once, in a read-only field with a copy button. */
export function SecretField({ label, value }: { label: string; value: string }) {
  return (
    <div className="secret-field">
      <label className="field-label">
        {label}
        <input className="input mono" readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <CopyButton text={value} />
    </div>
  );
}
