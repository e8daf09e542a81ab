import { useEffect } from "react";

/** Each page names itself in the window title (read first by screen readers after a navigation). */
export function useDocumentTitle(title: string | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · Personae` : "Personae";
  }, [title]);
}
