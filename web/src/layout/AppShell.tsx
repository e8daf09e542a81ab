import { Suspense, useEffect, useRef, useState, type ReactNode } from "react";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { useAuth, useMe } from "../auth";
import { Icon, type IconName } from "../components/Icon";
import { Badge, LoadingState } from "../components/ui";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/messages";
import type { Action } from "../api/types";
import { LanguagePicker } from "./LanguagePicker";
import { TenantSwitcher } from "./TenantSwitcher";
import { useToast } from "../components/Toasts";

interface NavItem {
  to: string;
  label: MessageKey;
  icon: IconName;
  action?: Action;
  soon?: boolean;
  end?: boolean;
}

const MAIN_NAV: NavItem[] = [
  { to: "/", label: "nav.overview", icon: "home", end: true },
  { to: "/personas", label: "nav.personas", icon: "persona", action: "personas.read" },
  { to: "/media", label: "nav.media", icon: "image", action: "media.read" },
  { to: "/captions", label: "nav.captions", icon: "captions", action: "captions.read" },
  { to: "/jobs", label: "nav.jobs", icon: "jobs", action: "jobs.read" },
  { to: "/team", label: "nav.team", icon: "team", action: "members.list" },
  { to: "/settings", label: "nav.settings", icon: "settings" },
];

const ACCOUNT_NAV: NavItem[] = [
  { to: "/account", label: "nav.account", icon: "shield", end: true },
  { to: "/account/sessions", label: "nav.sessions", icon: "monitor" },
];

const COLLAPSED_KEY = "personae.nav-collapsed";

export function AppShell() {
  const { t } = useI18n();
  const me = useMe();
  const { can, signOut } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const toast = useToast();
  const [mobileOpen, setMobileOpen] = useState(false);
  const [collapsed, setCollapsed] = useState(() => {
    try {
      return window.localStorage.getItem(COLLAPSED_KEY) === "1";
    } catch {
      return false;
    }
  });
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    setMobileOpen(false);
  }, [location.pathname]);

  useEffect(() => {
    if (!mobileOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setMobileOpen(false);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [mobileOpen]);

  const toggleCollapsed = () => {
    setCollapsed((c) => {
      try {
        window.localStorage.setItem(COLLAPSED_KEY, c ? "0" : "1");
      } catch {
        // not persisted
      }
      return !c;
    });
  };

  const doSignOut = async () => {
    try {
      await signOut();
    } finally {
      toast.info(t("auth.signedOut"));
      navigate("/signin", { replace: true });
    }
  };

  const renderItem = (item: NavItem) => {
    if (item.action && !can(item.action)) return null;
    return (
      <li key={item.to}>
        <NavLink to={item.to} end={item.end} className="nav-link" title={collapsed ? t(item.label) : undefined}>
          <Icon name={item.icon} size={20} />
          <span className="nav-label">{t(item.label)}</span>
          {item.soon && (
            <span className="nav-soon">
              <Badge tone="neutral">{t("common.soon")}</Badge>
            </span>
          )}
        </NavLink>
      </li>
    );
  };

  return (
    <div className={`shell ${collapsed ? "shell-collapsed" : ""} ${mobileOpen ? "shell-mobile-open" : ""}`}>
      <a href="#main" className="skip-link" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>
        {t("nav.skip")}
      </a>
      <aside className="sidebar" id="sidebar" aria-label={t("nav.label")}>
        <div className="sidebar-brand">
          <span className="brand-mark" aria-hidden="true">P</span>
          <span className="brand-name">Personae</span>
          <button type="button" className="btn btn-ghost btn-icon sidebar-close" aria-label={t("nav.close")} onClick={() => setMobileOpen(false)}>
            <Icon name="close" size={18} />
          </button>
        </div>
        <nav aria-label={t("nav.main")}>
          <ul className="nav-list">{MAIN_NAV.map(renderItem)}</ul>
        </nav>
        <nav aria-label={t("nav.accountSection")} className="nav-secondary">
          <p className="nav-heading">{t("nav.accountSection")}</p>
          <ul className="nav-list">{ACCOUNT_NAV.map(renderItem)}</ul>
        </nav>
        <div className="sidebar-footer">
          <button type="button" className="nav-link nav-button collapse-toggle" onClick={toggleCollapsed} aria-expanded={!collapsed} aria-controls="sidebar" title={collapsed ? t("nav.expand") : undefined}>
            <Icon name={collapsed ? "chevronRight" : "chevronLeft"} size={20} />
            <span className="nav-label">{collapsed ? t("nav.expand") : t("nav.collapse")}</span>
          </button>
        </div>
      </aside>
      {mobileOpen && <div className="scrim" aria-hidden="true" onClick={() => setMobileOpen(false)} />}
      <div className="shell-main">
        <header className="topbar">
          <button type="button" className="btn btn-ghost btn-icon menu-button" aria-label={t("nav.open")} aria-expanded={mobileOpen} aria-controls="sidebar" onClick={() => setMobileOpen(true)}>
            <Icon name="menu" size={20} />
          </button>
          <TenantSwitcher />
          <div className="topbar-spacer" />
          <LanguagePicker />
          <UserMenu name={me.display_name || me.email} email={me.email} onSignOut={doSignOut} />
        </header>
        <main id="main" ref={main} tabIndex={-1} className="content">
          <Suspense fallback={<LoadingState />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}

function UserMenu({ name, email, onSignOut }: { name: string; email: string; onSignOut: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const location = useLocation();
  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  const initials = name
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]?.toUpperCase())
    .join("");
  return (
    <div className="user-menu" ref={root}>
      <button ref={button} type="button" className="user-button" aria-expanded={open} aria-haspopup="true" aria-controls="user-menu" onClick={() => setOpen((o) => !o)}>
        <span className="avatar" aria-hidden="true">{initials}</span>
        <span className="user-name">{name}</span>
        <Icon name="chevronDown" size={16} />
      </button>
      {open && (
        <div className="menu" id="user-menu">
          <p className="menu-header">
            <span className="menu-header-name">{name}</span>
            <span className="menu-header-email">{email}</span>
          </p>
          <MenuLink to="/account" icon="shield">{t("nav.account")}</MenuLink>
          <MenuLink to="/account/sessions" icon="monitor">{t("nav.sessions")}</MenuLink>
          <button type="button" className="menu-item" onClick={onSignOut}>
            <Icon name="logout" size={18} />
            {t("auth.signOut")}
          </button>
        </div>
      )}
    </div>
  );
}

function MenuLink({ to, icon, children }: { to: string; icon: IconName; children: ReactNode }) {
  return (
    <NavLink to={to} end className="menu-item">
      <Icon name={icon} size={18} />
      {children}
    </NavLink>
  );
}
