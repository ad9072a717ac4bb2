import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { ApiError, messageOf } from "../api/problem";
import { useTimeZone } from "../auth/timezone";
import { listQuery } from "../lists/queries";
import { Link } from "../router";
import { formatInZone } from "../tasks/zone";
import { LoadMore } from "../ui/LoadMore";
import { describeActivity, timeAgo } from "./describe";
import { usePeople } from "./people";
import { activityQuery } from "./queries";

/** /lists/:id/activity — who did what in a list and when, newest first. */
export function ActivityPage({ id }: { id: string }) {
  const list = useQuery(listQuery(id));
  const activity = useInfiniteQuery(activityQuery(id));
  const people = usePeople(id);
  const timeZone = useTimeZone();
  // The entries wait for the members' names, so that "Someone" never flashes before "Ann".
  const items = people.settled ? (activity.data ?? []) : [];
  const now = Date.now();
  const failure = list.error ?? activity.error;
  const missing = failure instanceof ApiError && failure.status === 404;
  const listPath = `/lists/${encodeURIComponent(id)}`;

  return (
    <section className="activity-page" aria-labelledby="activity-heading">
      <div className="toolbar">
        <h1 id="activity-heading">{list.data ? `Activity in ${list.data.name}` : "Activity"}</h1>
        {list.data ? <Link to={listPath}>Back to {list.data.name}</Link> : null}
      </div>
      <p className="list-status" role="status">
        {activity.isPending || (activity.data && !people.settled) ? "Loading activity…" : ""}
      </p>
      {missing ? (
        <div className="empty error-state">
          <p>This list does not exist; it may have been deleted.</p>
          <Link to="/">Go to your tasks</Link>
        </div>
      ) : activity.isError && !activity.data ? (
        <div className="empty error-state">
          <p>Could not load the activity: {messageOf(activity.error)}</p>
          <button type="button" onClick={() => void activity.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {activity.isSuccess && people.settled && items.length === 0 ? <p className="empty">Nothing has happened in this list yet.</p> : null}
      {items.length ? (
        <ol className="activity-list">
          {items.map((entry) => (
            <li key={entry.id} className="activity">
              <span className="activity-text">{describeActivity(entry, (who) => people.nameOf(who, { you: true }))}</span>
              <span className="activity-time">
                {" · "}
                <time dateTime={entry.created_at} title={formatInZone(entry.created_at, timeZone)}>
                  {timeAgo(entry.created_at, now, timeZone)}
                </time>
              </span>
            </li>
          ))}
        </ol>
      ) : null}
      {activity.isFetchNextPageError ? (
        <p className="form-error" role="alert">
          Could not load more activity: {messageOf(activity.error)}
        </p>
      ) : null}
      <LoadMore list={activity} label="Load more activity" />
    </section>
  );
}
