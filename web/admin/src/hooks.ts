import { useCallback, useEffect, useState } from "react";
import { describe } from "./api";
import { withSession } from "./session";

/** What a page loaded: the data, or the error in words, and a way to load it again. */
export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
  /** Replaces the data with what an action answered (the API's word, not a guess). */
  set: (data: T) => void;
}

/**
 * Loads `load()` (with the session) when the page opens and whenever `deps` change; answers that arrive after the
 * page moved on are dropped.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  // `deps` is the caller's list for `load`.
  const run = useCallback(load, deps);
  useEffect(() => {
    let current = true;
    setLoading(true);
    withSession(run)
      .then((found) => {
        if (!current) return;
        setData(found);
        setError(null);
      })
      .catch((e: unknown) => {
        if (current) setError(describe(e));
      })
      .finally(() => {
        if (current) setLoading(false);
      });
    return () => {
      current = false;
    };
  }, [run, round]);
  return { data, error, loading, reload: () => setRound((r) => r + 1), set: setData };
}

/** A text field of a submitted form ("" when absent). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** Runs one action at a time (a second click while busy does nothing); `error` is its failure in words. */
export function useAction(): {
  busy: boolean;
  error: string | null;
  run: <T>(action: () => Promise<T>) => Promise<T | undefined>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [guard] = useState(() => ({ busy: false }));
  const run = useCallback(
    async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
      if (guard.busy) return undefined;
      guard.busy = true;
      setBusy(true);
      setError(null);
      try {
        return await withSession(action);
      } catch (e) {
        setError(describe(e));
        return undefined;
      } finally {
        guard.busy = false;
        setBusy(false);
      }
    },
    [guard],
  );
  return { busy, error, run, clear: () => setError(null) };
}
