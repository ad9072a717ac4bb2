import { type FormEvent, useState } from "react";
import type { List } from "../api/openapi";
import { ApiError, messageOf } from "../api/problem";
import { Dialog } from "../ui/Dialog";
import { Field } from "../ui/Field";

/** The colours a list can have (stored as #rrggbb), with names for the people choosing them. */
export const LIST_COLORS: { value: string; name: string }[] = [
  { value: "", name: "No colour" },
  { value: "#d1453b", name: "Red" },
  { value: "#eb8909", name: "Orange" },
  { value: "#b8a000", name: "Yellow" },
  { value: "#299438", name: "Green" },
  { value: "#158fad", name: "Teal" },
  { value: "#4073ff", name: "Blue" },
  { value: "#884dff", name: "Purple" },
  { value: "#808080", name: "Grey" },
];

export function colorName(color: string | null): string {
  return LIST_COLORS.find((c) => c.value === (color ?? ""))?.name ?? color ?? "No colour";
}

interface ListDialogProps {
  list?: List;
  onSubmit: (values: { name: string; color: string | null }) => Promise<unknown>;
  onClose: () => void;
}

/** Creates a list, or renames and recolours one. */
export function ListDialog({ list, onSubmit, onClose }: ListDialogProps) {
  const [name, setName] = useState(list?.name ?? "");
  const [color, setColor] = useState(list?.color ?? "");
  const [error, setError] = useState<{ name?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const colors = LIST_COLORS.some((c) => c.value === color) ? LIST_COLORS : [...LIST_COLORS, { value: color, name: color }];

  async function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError({ name: "Enter a name." });
    if ([...trimmed].length > 100) return setError({ name: "Use at most 100 characters." });
    setBusy(true);
    try {
      await onSubmit({ name: trimmed, color: color || null });
    } catch (err) {
      const byField = err instanceof ApiError ? err.byField() : {};
      setError({ ...(byField.name ? { name: byField.name } : {}), form: messageOf(err) });
      setBusy(false);
    }
  }

  return (
    <Dialog title={list ? "Edit list" : "New list"} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate className="task-form">
        {error.form ? (
          <p className="form-error" role="alert">
            {error.form}
          </p>
        ) : null}
        <Field label="Name" error={error.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required autoComplete="off" />
        </Field>
        <Field label="Colour">
          <select value={color} onChange={(e) => setColor(e.target.value)}>
            {colors.map((c) => (
              <option key={c.value} value={c.value}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Working…" : list ? "Save list" : "Create list"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface MoveDialogProps {
  title: string;
  lists: List[];
  onMove: (listId: string) => void;
  onClose: () => void;
}

/** Sends a task (with its subtasks) to another list. */
export function MoveToListDialog({ title, lists, onMove, onClose }: MoveDialogProps) {
  const [target, setTarget] = useState(lists[0]?.id ?? "");
  return (
    <Dialog title="Move to another list" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (target) onMove(target);
        }}
        className="task-form"
      >
        <p className="dialog-context">“{title}” and its subtasks go to the end of the list you choose.</p>
        {lists.length ? (
          <Field label="List">
            <select value={target} onChange={(e) => setTarget(e.target.value)}>
              {lists.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <p>There is no other list yet. Create one in the sidebar first.</p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!target}>
            Move
          </button>
        </div>
      </form>
    </Dialog>
  );
}
