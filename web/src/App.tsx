import { lazy, useEffect, useRef } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { useAuth } from "./auth";
import { AppShell } from "./layout/AppShell";
import { ErrorMessage } from "./components/ErrorMessage";
import { LoadingState } from "./components/ui";
import { SignInPage } from "./pages/SignInPage";
import { SetupPage } from "./pages/SetupPage";
import { InvitePage } from "./pages/InvitePage";
import { NotFoundPage } from "./pages/NotFoundPage";

// Each area is its own chunk, loaded on first visit (the overview's chart library among them).
const OverviewPage = lazy(() => import("./pages/OverviewPage").then((m) => ({ default: m.OverviewPage })));
const PersonaListPage = lazy(() => import("./pages/personas/PersonaListPage").then((m) => ({ default: m.PersonaListPage })));
const PersonaCreatePage = lazy(() => import("./pages/personas/PersonaCreatePage").then((m) => ({ default: m.PersonaCreatePage })));
const PersonaEditorPage = lazy(() => import("./pages/personas/PersonaEditorPage").then((m) => ({ default: m.PersonaEditorPage })));
const MediaVaultPage = lazy(() => import("./pages/media/MediaVaultPage").then((m) => ({ default: m.MediaVaultPage })));
const MediaDetailPage = lazy(() => import("./pages/media/MediaDetailPage").then((m) => ({ default: m.MediaDetailPage })));
const TeamPage = lazy(() => import("./pages/team/TeamPage").then((m) => ({ default: m.TeamPage })));
const SettingsPage = lazy(() => import("./pages/SettingsPage").then((m) => ({ default: m.SettingsPage })));
const AccountPage = lazy(() => import("./pages/account/AccountPage").then((m) => ({ default: m.AccountPage })));
const SessionsPage = lazy(() => import("./pages/account/SessionsPage").then((m) => ({ default: m.SessionsPage })));
const CaptionsPage = lazy(() => import("./features/captions/CaptionsPage").then((m) => ({ default: m.CaptionsPage })));
const JobsPage = lazy(() => import("./features/jobs/JobsPage").then((m) => ({ default: m.JobsPage })));

function RequireAuth() {
  const { me, status, error, signedOutByUser } = useAuth();
  const location = useLocation();
  if (status === "loading") return <LoadingState />;
  if (status === "error")
    return (
      <div className="centered-page">
        <ErrorMessage error={error} onRetry={() => window.location.reload()} />
      </div>
    );
  if (!me) {
    const next = location.pathname + location.search;
    return <Navigate to={next === "/" || signedOutByUser ? "/signin" : `/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  return <AppShell />;
}

/** After a client-side navigation, focus goes to the page's content (screen readers start there). */
function FocusOnNavigate() {
  const location = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const main = document.getElementById("main");
    if (main) main.focus({ preventScroll: false });
    window.scrollTo(0, 0);
  }, [location.pathname]);
  return null;
}

export function App() {
  return (
    <>
      <FocusOnNavigate />
      <Routes>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="/setup" element={<SetupPage />} />
        <Route path="/invite" element={<InvitePage />} />
        <Route element={<RequireAuth />}>
          <Route index element={<OverviewPage />} />
          <Route path="personas" element={<PersonaListPage />} />
          <Route path="personas/new" element={<PersonaCreatePage />} />
          <Route path="personas/:id" element={<PersonaEditorPage />} />
          <Route path="media" element={<MediaVaultPage />} />
          <Route path="media/:id" element={<MediaDetailPage />} />
          <Route path="captions" element={<CaptionsPage />} />
          <Route path="jobs" element={<JobsPage />} />
          <Route path="team" element={<TeamPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="account/sessions" element={<SessionsPage />} />
          <Route path="home" element={<Navigate to="/" replace />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </>
  );
}
