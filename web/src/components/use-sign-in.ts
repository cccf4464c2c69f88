// Signing in from a form (the sign-in page, and the dialog when a session ends): busy while it runs,
// the refusal in words, and what to do once signed in.
import { useState } from 'preact/hooks';
import { errorText } from '../api.js';
import { signIn } from '../session.js';

export function useSignIn(then: () => void = () => undefined) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (name: string, password: string) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(name, password);
      then();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
}
