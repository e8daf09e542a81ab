import type { ReactNode } from "react";
import { LanguagePicker } from "../layout/LanguagePicker";

/** The frame of the pages shown without a session: sign-in, first-run setup, invitations. */
export function AuthLayout({ title, subtitle, children, wide }: { title: string; subtitle?: ReactNode; children: ReactNode; wide?: boolean }) {
  return (
    <div className="auth-page">
      <header className="auth-top">
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true">P</span>
          <span className="brand-name">Personae</span>
        </div>
        <LanguagePicker />
      </header>
      <main id="main" tabIndex={-1} className="auth-main">
        <div className={`auth-card ${wide ? "auth-card-wide" : ""}`}>
          <h1 className="auth-title">{title}</h1>
          {subtitle && <p className="auth-subtitle">{subtitle}</p>}
          {children}
        </div>
      </main>
    </div>
  );
}
