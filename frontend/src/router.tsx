import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from "react";

const NAVIGATE_EVENT = "doable:navigate";

export type Route =
  | { name: "tasks" }
  | { name: "list"; id: string }
  | { name: "task"; id: string }
  | { name: "today" }
  | { name: "upcoming" }
  | { name: "assigned" }
  | { name: "listActivity"; id: string }
  | { name: "archivedLists" }
  | { name: "invitations" }
  | { name: "settings" }
  | { name: "signIn" }
  | { name: "signUp" }
  | { name: "adminDashboard" }
  | { name: "adminUsers" }
  | { name: "adminUser"; id: string }
  | { name: "adminAudit" }
  | { name: "notFound" };

/** Maps a pathname to a route. */
export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  switch (path) {
    case "/":
    case "/tasks":
      return { name: "tasks" };
    case "/today":
      return { name: "today" };
    case "/upcoming":
      return { name: "upcoming" };
    case "/assigned":
      return { name: "assigned" };
    case "/lists/archived":
      return { name: "archivedLists" };
    case "/invitations":
      return { name: "invitations" };
    case "/settings":
      return { name: "settings" };
    case "/sign-in":
      return { name: "signIn" };
    case "/sign-up":
      return { name: "signUp" };
    case "/admin":
      return { name: "adminDashboard" };
    case "/admin/users":
      return { name: "adminUsers" };
    case "/admin/audit":
      return { name: "adminAudit" };
  }
  const withId: [RegExp, "adminUser" | "list" | "listActivity" | "task"][] = [
    [/^\/admin\/users\/([^/]+)$/, "adminUser"],
    [/^\/lists\/([^/]+)$/, "list"],
    [/^\/lists\/([^/]+)\/activity$/, "listActivity"],
    [/^\/tasks\/([^/]+)$/, "task"],
  ];
  for (const [re, name] of withId) {
    const m = re.exec(path);
    if (!m?.[1]) continue;
    try {
      return { name, id: decodeURIComponent(m[1]) };
    } catch {
      return { name: "notFound" };
    }
  }
  return { name: "notFound" };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

function subscribe(callback: () => void): () => void {
  window.addEventListener("popstate", callback);
  window.addEventListener(NAVIGATE_EVENT, callback);
  return () => {
    window.removeEventListener("popstate", callback);
    window.removeEventListener(NAVIGATE_EVENT, callback);
  };
}

const getHref = () => location.pathname + location.search;

/** The current path + query; re-renders on navigation. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, getHref, getHref);
  const url = new URL(href, "http://x");
  return { pathname: url.pathname, search: url.search };
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** An ordinary link that navigates without reloading (modifier-clicks still open new tabs). */
export function Link({ to, onClick, ...rest }: LinkProps) {
  function handleClick(e: MouseEvent<HTMLAnchorElement>) {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  }
  return <a href={to} onClick={handleClick} {...rest} />;
}
