import { useId } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { LOCALES, type Locale } from "../i18n/messages";
import { Icon } from "../components/Icon";

const NAMES: Record<Locale, string> = { en: "English", fr: "Français" };

/** Each language named in itself, so anyone finds theirs. */
export function LanguagePicker({ compact = false }: { compact?: boolean }) {
  const { locale, setLocale, t } = useI18n();
  const id = useId();
  return (
    <div className={`language-picker ${compact ? "compact" : ""}`}>
      <label htmlFor={id} className="visually-hidden">
        {t("common.language")}
      </label>
      <Icon name="globe" size={18} />
      <select id={id} className="language-select" value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {NAMES[l]}
          </option>
        ))}
      </select>
    </div>
  );
}
