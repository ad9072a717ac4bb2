import { Link, useLocation } from "../router";

const ITEMS = [
  { to: "/admin", label: "Dashboard" },
  { to: "/admin/users", label: "Users" },
  { to: "/admin/audit", label: "Audit log" },
];

export function AdminNav() {
  const { pathname } = useLocation();
  const current = (to: string) => (to === "/admin" ? pathname === "/admin" : pathname.startsWith(to));
  return (
    <nav aria-label="Administration" className="subnav">
      {ITEMS.map((i) => (
        <Link key={i.to} to={i.to} aria-current={current(i.to) ? "page" : undefined}>
          {i.label}
        </Link>
      ))}
    </nav>
  );
}
