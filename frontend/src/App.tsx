import { useEffect, useRef } from "react";
import { AuditPage } from "./admin/AuditPage";
import { Dashboard } from "./admin/Dashboard";
import { UserPage } from "./admin/UserPage";
import { UsersPage } from "./admin/UsersPage";
import { AuthPage, safeNext } from "./auth/AuthPages";
import { useAuth } from "./auth/AuthProvider";
import { ActivityPage } from "./collab/ActivityPage";
import { ArchivedLists } from "./lists/ArchivedLists";
import { ListPage } from "./lists/ListPage";
import { Sidebar } from "./lists/Sidebar";
import { TaskLink } from "./lists/TaskLink";
import { ViewPage } from "./lists/ViewPage";
import { Link, matchRoute, navigate, type Route, useLocation } from "./router";
import { SettingsPage } from "./settings/SettingsPage";
import { InvitationsPage } from "./sharing/InvitationsPage";
import { TaskBrowser } from "./tasks/TaskBrowser";

const TITLES: Record<Route["name"], string> = {
  tasks: "Tasks",
  list: "List",
  task: "Task",
  today: "Today",
  upcoming: "Upcoming",
  assigned: "Assigned to me",
  listActivity: "Activity",
  archivedLists: "Archived lists",
  invitations: "Invitations",
  settings: "Settings",
  signIn: "Sign in",
  signUp: "Sign up",
  adminDashboard: "Administration",
  adminUsers: "Users",
  adminUser: "User",
  adminAudit: "Audit log",
  notFound: "Not found",
};

function Header() {
  const auth = useAuth();
  const { pathname } = useLocation();
  const me = auth.state.status === "signedIn" ? auth.state.me : null;
  return (
    <header className="site-header">
      <div className="header-inner">
        <Link to="/" className="brand">
          Doable
        </Link>
        {me ? (
          <>
            <nav aria-label="Main" className="mainnav">
              <Link to="/" aria-current={pathname.startsWith("/admin") || pathname === "/settings" ? undefined : "page"}>
                Tasks
              </Link>
              <Link to="/settings" aria-current={pathname === "/settings" ? "page" : undefined}>
                Settings
              </Link>
              {me.role === "admin" ? (
                <Link to="/admin" aria-current={pathname.startsWith("/admin") ? "page" : undefined}>
                  Admin
                </Link>
              ) : null}
            </nav>
            <div className="account">
              <span className="who" title={me.email}>
                {me.name || me.email}
              </span>
              <button type="button" onClick={() => void auth.signOut()}>
                Sign out
              </button>
            </div>
          </>
        ) : null}
      </div>
    </header>
  );
}

function Page({ route }: { route: Route }) {
  const auth = useAuth();
  const { pathname, search } = useLocation();

  if (auth.state.status === "checking") return <p role="status">Loading Doable…</p>;

  if (auth.state.status === "signedOut") {
    if (route.name === "signUp") return <AuthPage mode="signUp" />;
    return <AuthPage mode="signIn" />;
  }

  const me = auth.state.me;
  switch (route.name) {
    case "signIn":
    case "signUp":
      return <p role="status">Signed in. Opening your tasks…</p>;
    case "tasks":
      return (
        <>
          <h1>Tasks</h1>
          <TaskBrowser scope={{ kind: "mine" }} heading="Your tasks" />
        </>
      );
    case "list":
      return <ListPage key={route.id} id={route.id} />;
    case "task":
      return <TaskLink key={route.id} id={route.id} />;
    case "today":
      return <ViewPage key="today" view="today" />;
    case "upcoming":
      return <ViewPage key="upcoming" view="upcoming" />;
    case "assigned":
      return <ViewPage key="assigned" view="assigned" />;
    case "listActivity":
      return <ActivityPage key={route.id} id={route.id} />;
    case "archivedLists":
      return <ArchivedLists />;
    case "invitations":
      return <InvitationsPage />;
    case "settings":
      return <SettingsPage />;
    case "notFound":
      return (
        <div className="empty">
          <h1>Page not found</h1>
          <p>
            There is nothing at <code>{pathname + search}</code>. <Link to="/">Go to your tasks</Link>.
          </p>
        </div>
      );
  }
  if (me.role !== "admin") {
    return (
      <div className="empty">
        <h1>Administrators only</h1>
        <p>
          Your account does not have access to this page. <Link to="/">Go to your tasks</Link>.
        </p>
      </div>
    );
  }
  switch (route.name) {
    case "adminDashboard":
      return <Dashboard />;
    case "adminUsers":
      return <UsersPage />;
    case "adminUser":
      return <UserPage key={route.id} id={route.id} />;
    case "adminAudit":
      return <AuditPage />;
  }
}

export function App() {
  const auth = useAuth();
  const { pathname, search } = useLocation();
  const route = matchRoute(pathname);
  const main = useRef<HTMLElement>(null);
  /** The pathname focus was last handled for; null until the first render has committed. */
  const shownPath = useRef<string | null>(null);
  const status = auth.state.status;
  // The lists sidebar beside the user's own pages (not beside sign-in or the admin's).
  const withSidebar = status === "signedIn" && !route.name.startsWith("admin") && route.name !== "signIn" && route.name !== "signUp";

  // Keep the address bar honest: signed-out people are on /sign-in, signed-in people are not.
  useEffect(() => {
    if (status === "signedOut" && route.name !== "signIn" && route.name !== "signUp") {
      const here = pathname + search;
      navigate(here === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
    } else if (status === "signedIn" && (route.name === "signIn" || route.name === "signUp")) {
      navigate(safeNext(search), { replace: true });
    }
  }, [status, route.name, pathname, search]);

  // The document title names the page, as a full page load would.
  useEffect(() => {
    document.title = `${TITLES[route.name]} · Doable`;
  }, [route.name]);

  // On navigation (not on the first load): move focus to the page and scroll to the top, as a full page load would.
  useEffect(() => {
    const previous = shownPath.current;
    shownPath.current = pathname;
    if (previous === null || previous === pathname) return;
    main.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [pathname]);

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to main content
      </a>
      <Header />
      <div className={withSidebar ? "layout with-sidebar" : "layout"}>
        {withSidebar ? <Sidebar /> : null}
        <main id="main" ref={main} tabIndex={-1}>
          <Page route={route} />
        </main>
      </div>
    </>
  );
}
