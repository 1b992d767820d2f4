import { useState, type FormEvent } from "react";
import { describe } from "../api";
import { Problem } from "../components/ui";
import { formText } from "../hooks";
import { useSession } from "../session";

/** Sign-in for administrators. */
export function SignIn() {
  const signIn = useSession((s) => s.signIn);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(formText(form, "email"), formText(form, "password"));
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main id="main" className="mx-auto max-w-sm px-4 py-16">
      <h1 className="mb-6 text-2xl font-bold text-white">Sign in to the NitePutter dashboard</h1>
      <form onSubmit={(e) => void submit(e)} className="space-y-4">
        <label className="block">
          <span className="mb-1 block">Email</span>
          <input name="email" type="email" autoComplete="username" required className="field" />
        </label>
        <label className="block">
          <span className="mb-1 block">Password</span>
          <input name="password" type="password" autoComplete="current-password" required className="field" />
        </label>
        <Problem>{error}</Problem>
        <button type="submit" className="button w-full" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

/** A signed-in account without the administrator role. */
export function NoAccess() {
  const who = useSession((s) => s.who);
  const signOut = useSession((s) => s.signOut);
  return (
    <main id="main" className="mx-auto max-w-md space-y-4 px-4 py-16">
      <h1 className="text-2xl font-bold text-white">No access to the dashboard</h1>
      <p role="alert">
        You are signed in as {who?.email}, which is not an administrator account. The dashboard is for the shop&apos;s
        administrators.
      </p>
      <p className="flex gap-3">
        <button type="button" className="button" onClick={() => void signOut()}>
          Sign in as someone else
        </button>
        <a href="/" className="button-quiet">
          Go to the shop
        </a>
      </p>
    </main>
  );
}
