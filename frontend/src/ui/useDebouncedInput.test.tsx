import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useDebouncedInput } from "./useDebouncedInput";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("useDebouncedInput", () => {
  it("commits once typing pauses for 250 ms", () => {
    const commit = vi.fn();
    const { result } = renderHook(() => useDebouncedInput("", commit));
    act(() => result.current[1]("m"));
    act(() => vi.advanceTimersByTime(100));
    act(() => result.current[1]("mi"));
    act(() => vi.advanceTimersByTime(249));
    expect(commit).not.toHaveBeenCalled();
    expect(result.current[0]).toBe("mi");
    act(() => vi.advanceTimersByTime(1));
    expect(commit).toHaveBeenCalledExactlyOnceWith("mi");
  });

  it("commits a change back to the original value (no lost edits)", () => {
    const commit = vi.fn();
    const { result, rerender } = renderHook(({ ext }) => useDebouncedInput(ext, commit), { initialProps: { ext: "" } });
    rerender({ ext: "home" }); // set from elsewhere, e.g. clicking a tag
    expect(result.current[0]).toBe("home");
    act(() => result.current[1](""));
    act(() => vi.advanceTimersByTime(250));
    expect(commit).toHaveBeenCalledWith("");
  });

  it("follows external changes, but not while the user is typing", () => {
    const commit = vi.fn();
    const { result, rerender } = renderHook(({ ext }) => useDebouncedInput(ext, commit), { initialProps: { ext: "ab" } });
    act(() => result.current[1]("abc"));
    rerender({ ext: "x" });
    expect(result.current[0]).toBe("abc");
    act(() => vi.advanceTimersByTime(250));
    rerender({ ext: "" });
    expect(result.current[0]).toBe("");
  });
});
