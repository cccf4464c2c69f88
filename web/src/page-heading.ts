// Each page's title and, after a client-side navigation, the focus and an announcement, all from the
// page's own h1: a page already names itself there (the message subject, "Profile support"), so no
// page has to repeat it, and the title follows the heading when its data arrives. Without this a
// screen reader hears nothing when a link swaps the page, and every tab reads "mailbind".
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/** Keeps document.title on the h1 in `main`; returns the text to announce in a polite live region. */
export function usePageHeading(path: string, main: RefObject<HTMLElement | null>): string {
  const [announced, setAnnounced] = useState('');
  const firstPage = useRef(true);
  useEffect(() => {
    const root = main.current;
    if (!root) return;
    // On the first page the reader starts at the top as usual; only a navigation moves the focus.
    let toFocus = !firstPage.current;
    firstPage.current = false;
    const follow = () => {
      const h1 = root.querySelector('h1');
      const text = h1?.textContent?.trim() ?? '';
      const title = text ? `${text} · mailbind` : 'mailbind';
      if (document.title !== title) document.title = title;
      if (!h1 || !text || !toFocus) return;
      toFocus = false;
      h1.tabIndex = -1;
      // Someone who already started typing in the page keeps their place.
      if (!root.contains(document.activeElement)) h1.focus();
      setAnnounced(text);
    };
    follow();
    const observer = new MutationObserver(follow);
    observer.observe(root, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, [path]);
  return announced;
}
