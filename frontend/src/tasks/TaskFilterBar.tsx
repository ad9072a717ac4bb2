import { type KeyboardEvent, useState } from "react";

import { Field } from "../ui/Field";
import { useDebouncedInput } from "../ui/useDebouncedInput";
import {
  PRIORITIES,
  type Priority,
  parseTags,
  SORT_FIELDS,
  type SortDir,
  type SortField,
  STATUSES,
  type StatusFilter,
  type TaskFilters,
} from "./filters";
import { PRIORITY_LABELS } from "./TaskDialog";

const STATUS_LABELS: Record<StatusFilter, string> = { all: "All", pending: "Pending", completed: "Completed" };
const SORT_LABELS: Record<SortField, string> = {
  created_at: "Date created",
  updated_at: "Last updated",
  due_at: "Due date",
  priority: "Priority",
  title: "Title",
  position: "Manual order",
};

export const statusTabId = (s: StatusFilter) => `status-tab-${s}`;
export const STATUS_PANEL_ID = "task-panel";

/** Status tabs (a real tablist: arrow keys move between them). */
export function StatusTabs({ value, onChange }: { value: StatusFilter; onChange: (s: StatusFilter) => void }) {
  function onKeyDown(e: KeyboardEvent<HTMLButtonElement>) {
    const i = STATUSES.indexOf(value);
    let next: StatusFilter | undefined;
    if (e.key === "ArrowRight") next = STATUSES[(i + 1) % STATUSES.length];
    else if (e.key === "ArrowLeft") next = STATUSES[(i + STATUSES.length - 1) % STATUSES.length];
    else if (e.key === "Home") next = STATUSES[0];
    else if (e.key === "End") next = STATUSES[STATUSES.length - 1];
    if (!next) return;
    e.preventDefault();
    onChange(next);
    document.getElementById(statusTabId(next))?.focus();
  }
  return (
    <div role="tablist" aria-label="Status" className="tabs">
      {STATUSES.map((s) => (
        <button
          key={s}
          type="button"
          role="tab"
          id={statusTabId(s)}
          aria-selected={s === value}
          aria-controls={STATUS_PANEL_ID}
          tabIndex={s === value ? 0 : -1}
          onClick={() => onChange(s)}
          onKeyDown={onKeyDown}
        >
          {STATUS_LABELS[s]}
        </button>
      ))}
    </div>
  );
}

interface FilterBarProps {
  filters: TaskFilters;
  onChange: (f: TaskFilters) => void;
}

/** Search (as you type), priority and tag filters, sort. */
export function TaskFilterBar({ filters, onChange }: FilterBarProps) {
  const [q, setQ] = useDebouncedInput(filters.q, (value) => {
    if (value.trim() !== filters.q.trim()) onChange({ ...filters, q: value });
  });
  const sameTags = (a: string, b: string) => parseTags(a).join(",") === parseTags(b).join(",");
  const [tags, setTags] = useDebouncedInput(
    filters.tags.join(", "),
    (value) => {
      if (!sameTags(value, filters.tags.join(","))) onChange({ ...filters, tags: parseTags(value) });
    },
    250,
    sameTags,
  );

  // Open by default where there is room; phones start with just the search box.
  const [open, setOpen] = useState(() => typeof matchMedia !== "function" || matchMedia("(min-width: 700px)").matches);
  const active = (filters.priorities.length ? 1 : 0) + (filters.tags.length ? 1 : 0);

  function togglePriority(p: Priority) {
    const has = filters.priorities.includes(p);
    const next = PRIORITIES.filter((x) => (x === p ? !has : filters.priorities.includes(x)));
    onChange({ ...filters, priorities: next });
  }

  return (
    <div className="filters">
      <Field label="Search" className="search">
        <input
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Search titles and descriptions"
          autoComplete="off"
        />
      </Field>
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>Filter and sort{active ? ` (${active} ${active === 1 ? "filter" : "filters"} on)` : ""}</summary>
        <div className="filter-row">
          <fieldset className="priority-filter">
            <legend>Priority</legend>
            <div className="checks">
              {PRIORITIES.map((p) => (
                <label key={p} className="check">
                  <input type="checkbox" checked={filters.priorities.includes(p)} onChange={() => togglePriority(p)} />
                  {PRIORITY_LABELS[p]}
                </label>
              ))}
            </div>
          </fieldset>
          <Field label="Tags (all of)">
            <input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="e.g. work, home" autoComplete="off" />
          </Field>
          <Field label="Sort by">
            <select value={filters.sort} onChange={(e) => onChange({ ...filters, sort: e.target.value as SortField })}>
              {SORT_FIELDS.map((s) => (
                <option key={s} value={s}>
                  {SORT_LABELS[s]}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Order">
            <select value={filters.dir} onChange={(e) => onChange({ ...filters, dir: e.target.value as SortDir })}>
              <option value="asc">Ascending</option>
              <option value="desc">Descending</option>
            </select>
          </Field>
        </div>
      </details>
    </div>
  );
}
