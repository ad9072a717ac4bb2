import { useInfiniteQuery } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import type { Comment } from "../api/openapi";
import { messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { useAuth } from "../auth/AuthProvider";
import { useTimeZone } from "../auth/timezone";
import { formatInZone } from "../tasks/zone";
import { ConfirmDialog } from "../ui/Dialog";
import { Field } from "../ui/Field";
import { LoadMore } from "../ui/LoadMore";
import { useNotify } from "../ui/Toasts";
import { timeAgo } from "./describe";
import { type People, usePeople } from "./people";
import { commentsQuery, useAddComment, useDeleteComment, useEditComment } from "./queries";

export const MAX_COMMENT = 10_000;

/** A comment body as the API takes it: not blank, at most 10,000 characters; else what to fix. */
export function commentError(body: string): string | null {
  if (body.trim() === "") return "Write something first.";
  if ([...body].length > MAX_COMMENT) return "Use at most 10,000 characters.";
  return null;
}

/** A task's comments, oldest first; every member (viewers too) adds them, and each author edits or deletes their own. */
export function Comments({ taskId, listId }: { taskId: string; listId: string }) {
  const comments = useInfiniteQuery(commentsQuery(taskId));
  const auth = useAuth();
  const myId = auth.state.status === "signedIn" ? auth.state.me.id : null;
  const items = comments.data ?? [];
  // The members are read for the names of other people's comments only (none in a list nobody shares).
  const people = usePeople(
    listId,
    items.some((c) => c.author_id !== null && c.author_id !== myId),
  );
  const add = useAddComment(taskId);
  const notify = useNotify();
  const headingId = useId();
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Comment | null>(null);
  const remove = useDeleteComment(taskId);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = commentError(draft);
    setError(problem);
    if (problem) return;
    try {
      await add.mutateAsync(draft);
      setDraft("");
      notify("Comment added.", "success");
    } catch (err) {
      if (!(err instanceof AuthLostError)) setError(`Could not add the comment: ${messageOf(err)}`);
    }
  }

  async function confirmDelete(comment: Comment) {
    setDeleting(null);
    try {
      await remove.mutateAsync(comment.id);
      notify("Comment deleted.", "success");
    } catch (err) {
      if (!(err instanceof AuthLostError)) notify(`Could not delete the comment: ${messageOf(err)}`, "error");
    }
  }

  return (
    <section className="comments" aria-labelledby={headingId}>
      <h3 id={headingId}>Comments</h3>
      {comments.isPending ? <p className="list-status">Loading comments…</p> : null}
      {comments.isError && !comments.data ? (
        <div className="error-state">
          <p>Could not load the comments: {messageOf(comments.error)}</p>
          <button type="button" onClick={() => void comments.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {comments.isSuccess && items.length === 0 ? <p className="hint">No comments yet.</p> : null}
      {items.length ? (
        <ol className="comment-list">
          {items.map((c) => (
            <CommentItem key={c.id} comment={c} people={people} taskId={taskId} onDelete={setDeleting} />
          ))}
        </ol>
      ) : null}
      {comments.isFetchNextPageError ? (
        <p className="form-error" role="alert">
          Could not load more comments: {messageOf(comments.error)}
        </p>
      ) : null}
      <LoadMore list={comments} label="Load more comments" />
      <form className="comment-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Add a comment" error={error ?? undefined}>
          <textarea rows={2} value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={MAX_COMMENT} />
        </Field>
        <button type="submit" disabled={add.isPending}>
          {add.isPending ? "Adding…" : "Comment"}
        </button>
      </form>
      {deleting ? (
        <ConfirmDialog
          title="Delete comment?"
          confirmLabel="Delete comment"
          danger
          onConfirm={() => void confirmDelete(deleting)}
          onCancel={() => setDeleting(null)}
        >
          <p>Your comment will be deleted permanently.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

interface CommentItemProps {
  comment: Comment;
  people: People;
  taskId: string;
  onDelete: (comment: Comment) => void;
}

function CommentItem({ comment, people, taskId, onDelete }: CommentItemProps) {
  const auth = useAuth();
  const timeZone = useTimeZone();
  const edit = useEditComment(taskId);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const mine = auth.state.status === "signedIn" && comment.author_id === auth.state.me.id;
  const author = people.nameOf(comment.author_id);
  const edited = comment.updated_at !== comment.created_at;

  async function save(e: FormEvent) {
    e.preventDefault();
    if (editing === null) return;
    const problem = commentError(editing);
    setError(problem);
    if (problem) return;
    try {
      if (editing !== comment.body) await edit.mutateAsync({ id: comment.id, body: editing });
      setEditing(null);
    } catch (err) {
      if (!(err instanceof AuthLostError)) setError(`Could not save the comment: ${messageOf(err)}`);
    }
  }

  return (
    <li className="comment">
      <p className="comment-meta">
        <span className="comment-author">{author}</span>
        {" · "}
        <time dateTime={comment.created_at} title={formatInZone(comment.created_at, timeZone)}>
          {timeAgo(comment.created_at, Date.now(), timeZone)}
        </time>
        {edited ? <span className="comment-edited"> (edited)</span> : null}
      </p>
      {editing === null ? (
        <>
          <p className="comment-body">{comment.body}</p>
          {mine ? (
            <div className="comment-actions">
              <button type="button" className="link-button" onClick={() => setEditing(comment.body)} aria-label="Edit your comment">
                Edit
              </button>
              <button type="button" className="link-button danger-link" onClick={() => onDelete(comment)} aria-label="Delete your comment">
                Delete
              </button>
            </div>
          ) : null}
        </>
      ) : (
        <form onSubmit={(e) => void save(e)} noValidate className="comment-form">
          <Field label="Edit your comment" error={error ?? undefined}>
            <textarea rows={2} value={editing} onChange={(e) => setEditing(e.target.value)} maxLength={MAX_COMMENT} />
          </Field>
          <div className="comment-actions">
            <button
              type="button"
              onClick={() => {
                setEditing(null);
                setError(null);
              }}
            >
              Cancel
            </button>
            <button type="submit" className="primary" disabled={edit.isPending}>
              {edit.isPending ? "Saving…" : "Save comment"}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
