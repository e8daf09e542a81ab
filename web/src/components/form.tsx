import {
  useId,
  useState,
  type InputHTMLAttributes,
  type KeyboardEvent,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";
import { useI18n } from "../i18n/I18nProvider";
import { translateFieldMessage } from "../lib/errors";
import { Icon } from "./Icon";

/** A server field message in the user's language (the English text when it is not a known one). */
export function useFieldMessage() {
  const { t } = useI18n();
  return (message: string | undefined): string | undefined => {
    if (!message) return undefined;
    const known = translateFieldMessage(message);
    return known ? t(known.key, known.params) : message;
  };
}

interface FieldShellProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  required?: boolean;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
  className?: string;
}

/** Label, control, hint and error, wired for screen readers (aria-describedby, aria-invalid). */
export function Field({ label, hint, error, required, children, className }: FieldShellProps) {
  const id = useId();
  const { t } = useI18n();
  const fieldMessage = useFieldMessage();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field ${error ? "field-invalid" : ""} ${className ?? ""}`}>
      <label htmlFor={id} className="field-label">
        {label}
        {required && (
          <span className="field-required" aria-hidden="true">
            {" "}
            *
          </span>
        )}
        {required && <span className="visually-hidden"> ({t("common.required")})</span>}
      </label>
      {children({ id, describedBy, invalid: !!error })}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          <Icon name="warning" size={14} />
          {fieldMessage(error)}
        </p>
      )}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "id"> & { label: ReactNode; hint?: ReactNode; error?: string | undefined };

export function TextInput({ label, hint, error, required, className, ...rest }: InputProps) {
  return (
    <Field label={label} hint={hint} error={error} required={required} className={className}>
      {({ id, describedBy, invalid }) => (
        <input id={id} className="input" aria-describedby={describedBy} aria-invalid={invalid || undefined} required={required} {...rest} />
      )}
    </Field>
  );
}

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id"> & { label: ReactNode; hint?: ReactNode; error?: string | undefined };

export function TextArea({ label, hint, error, required, className, rows = 4, ...rest }: TextAreaProps) {
  return (
    <Field label={label} hint={hint} error={error} required={required} className={className}>
      {({ id, describedBy, invalid }) => (
        <textarea id={id} className="input textarea" rows={rows} aria-describedby={describedBy} aria-invalid={invalid || undefined} required={required} {...rest} />
      )}
    </Field>
  );
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, "id"> & {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  options: { value: string; label: string; disabled?: boolean }[];
};

export function Select({ label, hint, error, required, options, className, ...rest }: SelectProps) {
  return (
    <Field label={label} hint={hint} error={error} required={required} className={className}>
      {({ id, describedBy, invalid }) => (
        <div className="select-wrap">
          <select id={id} className="input select" aria-describedby={describedBy} aria-invalid={invalid || undefined} required={required} {...rest}>
            {options.map((o) => (
              <option key={o.value} value={o.value} disabled={o.disabled}>
                {o.label}
              </option>
            ))}
          </select>
          <Icon name="chevronDown" size={16} className="select-chevron" />
        </div>
      )}
    </Field>
  );
}

export function Checkbox({ label, hint, checked, onChange, disabled, name }: { label: ReactNode; hint?: ReactNode; checked: boolean; onChange: (checked: boolean) => void; disabled?: boolean; name?: string }) {
  const id = useId();
  return (
    <div className="checkbox">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} name={name} onChange={(e) => onChange(e.target.checked)} aria-describedby={hint ? `${id}-hint` : undefined} />
      <label htmlFor={id}>
        <span className="checkbox-label">{label}</span>
        {hint && (
          <span className="field-hint" id={`${id}-hint`}>
            {hint}
          </span>
        )}
      </label>
    </div>
  );
}

/** A list of short texts edited as chips: type and press Enter (or a comma) to add. */
export function ListInput({ label, hint, error, value, onChange, placeholder, prefix, disabled }: { label: ReactNode; hint?: ReactNode; error?: string | undefined; value: string[]; onChange: (next: string[]) => void; placeholder?: string; prefix?: string; disabled?: boolean }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState("");
  const add = () => {
    const items = draft
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => (prefix && s.startsWith(prefix) ? s.slice(prefix.length) : s));
    const next = [...value];
    for (const item of items) if (!next.includes(item)) next.push(item);
    if (items.length) onChange(next);
    setDraft("");
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter" || e.key === ",") {
      e.preventDefault();
      add();
    } else if (e.key === "Backspace" && !draft && value.length) {
      onChange(value.slice(0, -1));
    }
  };
  return (
    <Field label={label} hint={hint ?? t("form.listHint")} error={error}>
      {({ id, describedBy, invalid }) => (
        <div className={`chips-input ${disabled ? "is-disabled" : ""}`}>
          {value.length > 0 && (
            <ul className="chips" aria-label={t("form.currentItems")}>
              {value.map((item) => (
                <li key={item} className="chip">
                  <span>
                    {prefix}
                    {item}
                  </span>
                  {!disabled && (
                    <button type="button" className="chip-remove" aria-label={t("form.removeItem", { item })} onClick={() => onChange(value.filter((v) => v !== item))}>
                      <Icon name="close" size={12} />
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          <input
            id={id}
            className="chips-field"
            value={draft}
            disabled={disabled}
            placeholder={placeholder}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKey}
            onBlur={add}
          />
        </div>
      )}
    </Field>
  );
}

/** A group of checkboxes for a set of values (a fieldset with a legend). */
export function CheckboxGroup<T extends string>({ legend, options, value, onChange, disabled, error, inline }: { legend: ReactNode; options: { value: T; label: string }[]; value: T[]; onChange: (next: T[]) => void; disabled?: boolean; error?: string | undefined; inline?: boolean }) {
  const fieldMessage = useFieldMessage();
  return (
    <fieldset className={`fieldset ${inline ? "fieldset-inline" : ""}`}>
      <legend className="field-label">{legend}</legend>
      <div className="checkbox-group">
        {options.map((o) => (
          <Checkbox
            key={o.value}
            label={o.label}
            checked={value.includes(o.value)}
            disabled={disabled}
            onChange={(on) => onChange(on ? [...value, o.value] : value.filter((v) => v !== o.value))}
          />
        ))}
      </div>
      {error && <p className="field-error">{fieldMessage(error)}</p>}
    </fieldset>
  );
}
