import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { api, ok } from "../api/client";
import { messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { meQuery } from "../auth/me";
import { useTimeZone } from "../auth/timezone";
import { formatInZone, supportedTimeZones } from "../tasks/zone";
import { Field } from "../ui/Field";
import { useNotify } from "../ui/Toasts";

/** Changes the caller's time zone (PATCH /api/me): every date and time in the app follows it. */
export function useSetTimeZone() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (timezone: string) => (await ok(api.client.PATCH("/api/me", { body: { timezone } }))).data,
    onSuccess: (me) => {
      qc.setQueryData(meQuery.queryKey, me);
      void qc.invalidateQueries({ queryKey: meQuery.queryKey });
      // Today and Upcoming are computed in the zone.
      void qc.invalidateQueries({ queryKey: ["tasks"] });
    },
  });
}

export function SettingsPage() {
  const zone = useTimeZone();
  const zones = useMemo(supportedTimeZones, []);
  const [filter, setFilter] = useState("");
  const [chosen, setChosen] = useState(zone);
  const [error, setError] = useState<string | null>(null);
  const setTimeZone = useSetTimeZone();
  const notify = useNotify();
  const words = filter.trim().toLowerCase().replace(/\s+/g, "_");
  const shown = zones.filter((z) => !words || z.toLowerCase().includes(words) || z === chosen);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await setTimeZone.mutateAsync(chosen);
      notify(`Your time zone is now ${chosen}.`, "success");
    } catch (err) {
      if (!(err instanceof AuthLostError)) setError(messageOf(err));
    }
  }

  return (
    <section aria-labelledby="settings-heading" className="settings">
      <h1 id="settings-heading">Settings</h1>
      <form className="card task-form" onSubmit={(e) => void submit(e)}>
        <h2>Time zone</h2>
        <p>
          Times are shown and entered in <strong>{zone}</strong> (now {formatInZone(new Date().toISOString(), zone)}). All-day dates stay
          the same day in every zone.
        </p>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <Field label="Search time zones" hint="Type part of a name, e.g. Paris or New York.">
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Time zone">
          <select size={8} value={chosen} onChange={(e) => setChosen(e.target.value)}>
            {shown.map((z) => (
              <option key={z} value={z}>
                {z.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        </Field>
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={setTimeZone.isPending || chosen === zone}>
            {setTimeZone.isPending ? "Saving…" : "Save time zone"}
          </button>
        </div>
      </form>
    </section>
  );
}
