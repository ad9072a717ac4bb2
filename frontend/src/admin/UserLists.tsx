import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import { messageOf } from "../api/problem";
import { adminKeys } from "./query";

export function userListsQuery(id: string) {
  return queryOptions({
    // Under the user's key: deleting the user removes it with the rest of their page.
    queryKey: [...adminKeys.user(id), "lists"],
    queryFn: async ({ signal }) => (await ok(api.client.GET("/api/admin/users/{id}/lists", { params: { path: { id } }, signal }))).data,
  });
}

/** A user's lists with their counts, as an admin sees them (read-only). */
export function UserLists({ userId, label }: { userId: string; label: string }) {
  const lists = useQuery(userListsQuery(userId));
  return (
    <section className="card user-card" aria-labelledby="user-lists">
      <h2 id="user-lists">{label}’s lists</h2>
      {lists.isPending ? <p role="status">Loading lists…</p> : null}
      {lists.isError ? <p className="form-error">Could not load the lists: {messageOf(lists.error)}</p> : null}
      {lists.data ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{label}’s lists with their task counts</caption>
            <thead>
              <tr>
                <th scope="col">List</th>
                <th scope="col" className="num">
                  Open
                </th>
                <th scope="col" className="num">
                  Tasks
                </th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {lists.data.map((l) => (
                <tr key={l.id}>
                  <td>
                    {l.color ? <span className="list-dot" style={{ background: l.color }} aria-hidden="true" /> : null}
                    {l.name}
                  </td>
                  <td className="num">{l.open_task_count.toLocaleString()}</td>
                  <td className="num">{l.task_count.toLocaleString()}</td>
                  <td>{l.is_inbox ? "Inbox" : l.archived ? "Archived" : "Active"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
