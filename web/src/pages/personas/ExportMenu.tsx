import { useEffect, useRef, useState } from "react";
import type { Persona } from "../../api/types";
import { Icon } from "../../components/Icon";
import { useI18n } from "../../i18n/I18nProvider";

/** Character card downloads: JSON or PNG, V3 (default) or V2. */
export function ExportMenu({ persona }: { persona: Persona }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);
  const href = (format: string, version: string) => `/api/v1/personas/${encodeURIComponent(persona.id)}/card?format=${format}&version=${version}`;
  const items: [string, string, string][] = [
    ["json", "v3", t("export.jsonV3")],
    ["png", "v3", t("export.pngV3")],
    ["json", "v2", t("export.jsonV2")],
    ["png", "v2", t("export.pngV2")],
  ];
  return (
    <div className="menu-wrap" ref={root}>
      <button type="button" className="btn btn-secondary" aria-expanded={open} aria-controls="export-menu" onClick={() => setOpen((o) => !o)}>
        <Icon name="download" size={18} />
        <span>{t("export.title")}</span>
        <Icon name="chevronDown" size={16} />
      </button>
      {open && (
        <div className="menu menu-right" id="export-menu">
          {items.map(([format, version, label]) => (
            <a key={`${format}-${version}`} className="menu-item" href={href(format, version)} download onClick={() => setOpen(false)}>
              <Icon name={format === "png" ? "image" : "file"} size={18} />
              {label}
            </a>
          ))}
        </div>
      )}
    </div>
  );
}
