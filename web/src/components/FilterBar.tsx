import { useEffect, useState, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { useI18n } from "../i18n/I18nProvider";
import { Select, TextInput } from "./form";
import { Button } from "./ui";

/** A list's filters, kept in the address (?state=...&queue=...): a filtered view can be shared. */
export interface UrlFilters {
  params: URLSearchParams;
  /** Sets one filter (an empty value removes it), replacing the history entry. */
  setFilter: (name: string, value: string) => void;
  /** Removes every filter, keeping the parameters named in `keep` (the open item, say). */
  clear: () => void;
}

export function useUrlFilters(keep: readonly string[] = []): UrlFilters {
  const [params, setParams] = useSearchParams();
  return {
    params,
    setFilter: (name, value) => {
      const next = new URLSearchParams(params);
      if (value) next.set(name, value);
      else next.delete(name);
      setParams(next, { replace: true });
    },
    clear: () => {
      const next = new URLSearchParams();
      for (const name of keep) {
        const value = params.get(name);
        if (value) next.set(name, value);
      }
      setParams(next, { replace: true });
    },
  };
}

export interface FilterChoice {
  /** The address parameter. */
  name: string;
  label: string;
  /** The first choice, which filters nothing ("All states"). */
  all: string;
  options: { value: string; label: string }[];
}

/**
 * The filter panel above a list: a select per choice, then `children` (a FilterText, say), and
 * "Clear the filters" while any is set (`active`).
 */
export function FilterBar({ label, filters, choices, active, children }: { label: string; filters: UrlFilters; choices: readonly FilterChoice[]; active: boolean; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <form className="filters" role="search" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {choices.map((choice) => (
        <Select key={choice.name} label={choice.label} value={filters.params.get(choice.name) ?? ""} onChange={(e) => filters.setFilter(choice.name, e.target.value)} options={[{ value: "", label: choice.all }, ...choice.options]} />
      ))}
      {children}
      {active && (
        <div className="filters-reset">
          <Button variant="ghost" onClick={filters.clear}>
            {t("media.clearFilters")}
          </Button>
        </div>
      )}
    </form>
  );
}

/** A free-text filter: applied when the field is left or Enter is pressed, not at each key. */
export function FilterText({ filters, name, label, placeholder }: { filters: UrlFilters; name: string; label: string; placeholder?: string }) {
  const value = filters.params.get(name) ?? "";
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const apply = () => filters.setFilter(name, draft.trim());
  return (
    <TextInput
      label={label}
      value={draft}
      placeholder={placeholder}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={apply}
      onKeyDown={(e) => {
        if (e.key === "Enter") apply();
      }}
    />
  );
}
