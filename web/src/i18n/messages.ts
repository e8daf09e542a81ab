import { en } from "./en";
import { fr } from "./fr";

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;
export type Locale = "en" | "fr";

export const LOCALES: readonly Locale[] = ["en", "fr"];
export const CATALOGUES: Record<Locale, Catalogue> = { en, fr };

/** Keys that come in `_one` / `_other` pairs, by their base name. */
export type PluralKey = MessageKey extends infer K ? (K extends `${infer B}_one` ? B : never) : never;

/** `{name}` placeholders replaced by params; unknown placeholders are left visible. */
export function interpolate(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  return interpolate(CATALOGUES[locale][key] ?? CATALOGUES.en[key] ?? key, params);
}

export function translatePlural(
  locale: Locale,
  base: PluralKey,
  count: number,
  params?: Record<string, string | number>,
): string {
  const rule = new Intl.PluralRules(locale).select(count);
  const key = (rule === "one" ? `${base}_one` : `${base}_other`) as MessageKey;
  return translate(locale, key, { count: new Intl.NumberFormat(locale).format(count), ...params });
}

/** The language to start with: the saved choice, else the browser's first supported language. */
export function pickLocale(saved: string | null, browser: readonly string[]): Locale {
  if (saved === "en" || saved === "fr") return saved;
  for (const tag of browser) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "fr" || base === "en") return base;
  }
  return "en";
}
