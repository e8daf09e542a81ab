import type { ButtonHTMLAttributes, ReactNode } from "react";
import { Link } from "react-router";
import { Icon, type IconName } from "./Icon";
import { useI18n } from "../i18n/I18nProvider";

type Variant = "primary" | "secondary" | "danger" | "ghost";

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: "sm" | "md";
  icon?: IconName;
  busy?: boolean;
}

export function Button({ variant = "secondary", size = "md", icon, busy, children, className, disabled, type, ...rest }: ButtonProps) {
  const classes = ["btn", `btn-${variant}`, size === "sm" ? "btn-sm" : "", className ?? ""].filter(Boolean).join(" ");
  return (
    <button type={type ?? "button"} className={classes} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy ? <span className="spinner spinner-inline" aria-hidden="true" /> : icon ? <Icon name={icon} size={18} /> : null}
      {children !== undefined && children !== null && <span>{children}</span>}
    </button>
  );
}

/** A button that only shows an icon: its name is given to screen readers and as a tooltip. */
export function IconButton({ icon, label, ...rest }: Omit<ButtonProps, "children"> & { icon: IconName; label: string }) {
  return (
    <button type="button" className="btn btn-ghost btn-icon" aria-label={label} title={label} {...rest}>
      <Icon name={icon} size={18} />
    </button>
  );
}

export function ButtonLink({ to, variant = "secondary", icon, children, size = "md" }: { to: string; variant?: Variant; icon?: IconName; children: ReactNode; size?: "sm" | "md" }) {
  return (
    <Link to={to} className={`btn btn-${variant}${size === "sm" ? " btn-sm" : ""}`}>
      {icon && <Icon name={icon} size={18} />}
      <span>{children}</span>
    </Link>
  );
}

export type Tone = "neutral" | "success" | "warning" | "danger" | "info" | "accent";

export function Badge({ tone = "neutral", children, icon }: { tone?: Tone; children: ReactNode; icon?: IconName }) {
  return (
    <span className={`badge badge-${tone}`}>
      {icon && <Icon name={icon} size={14} />}
      {children}
    </span>
  );
}

export function Spinner({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <span className="spinner" role="status">
      <span className="visually-hidden">{label ?? t("common.loading")}</span>
    </span>
  );
}

export function LoadingState({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <p>{label ?? t("common.loading")}</p>
    </div>
  );
}

export function EmptyState({ icon = "info", title, children, action }: { icon?: IconName; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty">
      <div className="state-icon">
        <Icon name={icon} size={28} />
      </div>
      <h2 className="state-title">{title}</h2>
      {children && <div className="state-text">{children}</div>}
      {action && <div className="state-action">{action}</div>}
    </div>
  );
}

export function PageHeader({ title, description, actions, back }: { title: string; description?: ReactNode; actions?: ReactNode; back?: { to: string; label: string } }) {
  return (
    <header className="page-header">
      <div className="page-header-text">
        {back && (
          <Link to={back.to} className="back-link">
            <Icon name="chevronLeft" size={16} />
            {back.label}
          </Link>
        )}
        <h1>{title}</h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Card({ title, description, actions, children, className, id }: { title?: ReactNode; description?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; id?: string }) {
  return (
    <section className={`card ${className ?? ""}`} aria-labelledby={title && id ? `${id}-title` : undefined} id={id}>
      {(title || actions) && (
        <div className="card-header">
          <div>
            {title && (
              <h2 className="card-title" id={id ? `${id}-title` : undefined}>
                {title}
              </h2>
            )}
            {description && <p className="card-description">{description}</p>}
          </div>
          {actions && <div className="card-actions">{actions}</div>}
        </div>
      )}
      <div className="card-body">{children}</div>
    </section>
  );
}

export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const { locale } = useI18n();
  const ratio = max > 0 ? Math.min(1, value / max) : 0;
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(ratio);
  return (
    <div className="progress">
      <div className="progress-label">
        <span>{label}</span>
        <span aria-hidden="true">{percent}</span>
      </div>
      <progress value={value} max={max} aria-label={label}>
        {percent}
      </progress>
    </div>
  );
}

export function Callout({ tone = "info", title, children, icon }: { tone?: Tone; title?: ReactNode; children?: ReactNode; icon?: IconName }) {
  const defaultIcon: IconName = tone === "danger" || tone === "warning" ? "warning" : tone === "success" ? "check" : "info";
  return (
    <div className={`callout callout-${tone}`}>
      <Icon name={icon ?? defaultIcon} size={20} className="callout-icon" />
      <div className="callout-body">
        {title && <p className="callout-title">{title}</p>}
        {children && <div className="callout-text">{children}</div>}
      </div>
    </div>
  );
}

/** A moment as "3 minutes ago", with the full date and time as its tooltip. */
export function RelativeTime({ ms }: { ms: number }) {
  const { relative, dateTime } = useI18n();
  return (
    <time dateTime={new Date(ms).toISOString()} title={dateTime(ms)}>
      {relative(ms)}
    </time>
  );
}

export function VisuallyHidden({ children }: { children: ReactNode }) {
  return <span className="visually-hidden">{children}</span>;
}

export function DescriptionList({ items }: { items: [ReactNode, ReactNode][] }) {
  return (
    <dl className="dl">
      {items.map(([term, value], i) => (
        <div className="dl-row" key={i}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
