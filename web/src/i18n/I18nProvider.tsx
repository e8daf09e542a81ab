import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { formatBytes, formatDate, formatDateTime, formatNumber, formatRelative } from "../lib/format";
import {
  pickLocale,
  translate,
  translatePlural,
  type Locale,
  type MessageKey,
  type PluralKey,
} from "./messages";

export interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  tp: (base: PluralKey, count: number, params?: Record<string, string | number>) => string;
  date: (unixMs: number) => string;
  dateTime: (unixMs: number) => string;
  relative: (unixMs: number) => string;
  number: (value: number) => string;
  bytes: (value: number) => string;
}

const STORAGE_KEY = "personae.locale";
const I18nContext = createContext<I18n | null>(null);

function savedLocale(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => pickLocale(savedLocale(), navigator.languages ?? [navigator.language]));

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, []);

  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: (key, params) => translate(locale, key, params),
      tp: (base, count, params) => translatePlural(locale, base, count, params),
      date: (ms) => formatDate(ms, locale),
      dateTime: (ms) => formatDateTime(ms, locale),
      relative: (ms) => formatRelative(ms, locale),
      number: (v) => formatNumber(v, locale),
      bytes: (v) => formatBytes(v, locale),
    }),
    [locale, setLocale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
