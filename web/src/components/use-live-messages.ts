// The message log, newest first, live: the first page is loaded for the filters, older pages on
// request (cursor), and every few seconds the first page is asked again and whatever is newer than
// the top row is put on top. Polling rather than server-sent events: the search the log already
// uses answers it, it needs no long-lived connection through proxies, and a few seconds is soon
// enough for a log people watch. It pauses while the tab is hidden. Polls are marked as background
// requests: an open tab is not activity, and must not keep an idle session alive.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import type { MessageSummary } from './message-types.js';

export const POLL_MS = 3000;
const PAGE = 50;

export interface LiveLog {
  messages: MessageSummary[] | undefined;
  error: string | null;
  /** More (older) pages exist. */
  more: boolean;
  loadingOlder: boolean;
  loadOlder(): void;
  /** How many arrived in the last poll, for the announcement. */
  arrived: number;
  /** So many arrived at once that some between may be missing: reload to see them all. */
  gap: boolean;
}

export function useLiveMessages(query: string): LiveLog {
  const [messages, setMessages] = useState<MessageSummary[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [arrived, setArrived] = useState(0);
  const [gap, setGap] = useState(false);
  const top = useRef(0);

  useEffect(() => {
    let stopped = false;
    setMessages(undefined);
    setGap(false);
    setArrived(0);
    const first = async () => {
      try {
        const page = await api<{ messages: MessageSummary[]; next: string | null }>(`/messages?limit=${PAGE}${query}`);
        if (stopped) return;
        top.current = page.messages[0]?.id ?? 0;
        setMessages(page.messages);
        setNext(page.next);
        setError(null);
      } catch (e) {
        if (!stopped) setError(errorText(e));
      }
    };
    const poll = async () => {
      if (document.visibilityState === 'hidden') return;
      try {
        const page = await api<{ messages: MessageSummary[] }>(`/messages?limit=${PAGE}${query}`, { background: true });
        if (stopped) return;
        const fresh = page.messages.filter((m) => m.id > top.current);
        // Rows already shown may have changed too (a pending message got its outcome).
        const latest = new Map(page.messages.map((m) => [m.id, m]));
        setMessages((old) => [...fresh, ...(old ?? []).map((m) => latest.get(m.id) ?? m)]);
        if (fresh.length) top.current = fresh[0]!.id;
        if (fresh.length === PAGE) setGap(true);
        setArrived(fresh.length);
        setError(null);
      } catch (e) {
        if (!stopped) setError(errorText(e));
      }
    };
    void first();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [query]);

  const loadOlder = useCallback(() => {
    if (!next) return;
    setLoadingOlder(true);
    api<{ messages: MessageSummary[]; next: string | null }>(`/messages?limit=${PAGE}&cursor=${encodeURIComponent(next)}${query}`)
      .then((page) => {
        setMessages((old) => [...(old ?? []), ...page.messages]);
        setNext(page.next);
      })
      .catch((e) => setError(errorText(e)))
      .finally(() => setLoadingOlder(false));
  }, [next, query]);

  return { messages, error, more: next !== null, loadingOlder, loadOlder, arrived, gap };
}
