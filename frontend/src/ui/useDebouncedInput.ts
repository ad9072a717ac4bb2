import { useEffect, useRef, useState } from "react";

/**
 * Text input state that commits to `commit` once typing pauses for `delay` ms (search as you type),
 * and follows `external` when it changes from elsewhere (a "clear" button, the back button)
 * unless the user is in the middle of typing.
 */
export function useDebouncedInput(
  external: string,
  commit: (value: string) => void,
  delay = 250,
  same: (a: string, b: string) => boolean = (a, b) => a.trim() === b.trim(),
): [string, (value: string) => void] {
  const [text, setText] = useState(external);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const commitRef = useRef(commit);
  commitRef.current = commit;
  const sameRef = useRef(same);
  sameRef.current = same;

  useEffect(() => {
    if (timer.current === null) setText((t) => (sameRef.current(t, external) ? t : external));
  }, [external]);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  function change(value: string) {
    setText(value);
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      commitRef.current(value);
    }, delay);
  }

  return [text, change];
}
