import { useI18n } from "../i18n/I18nProvider";
import { CopyButton } from "./CopyButton";
import { Button, Callout } from "./ui";

export function downloadText(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Recovery codes, shown once: copy or download them. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  const { t } = useI18n();
  const text = codes.join("\n");
  return (
    <div className="recovery-codes">
      <Callout tone="warning" title={t("totp.recoveryTitle")}>
        {t("totp.recoveryHelp")}
      </Callout>
      <ul className="code-grid" aria-label={t("totp.recoveryTitle")}>
        {codes.map((c) => (
          <li key={c} className="mono">
            {c}
          </li>
        ))}
      </ul>
      <div className="button-row">
        <CopyButton text={text} label={t("totp.copyCodes")} />
        <Button size="sm" icon="download" onClick={() => downloadText("personae-recovery-codes.txt", text + "\n")}>
          {t("totp.downloadCodes")}
        </Button>
      </div>
    </div>
  );
}
