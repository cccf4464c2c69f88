// A small path router on the History API: links are real hrefs (open in a new tab works), and the
// server answers every non-API path with the app, so a reload lands on the same page.
import { useEffect, useState } from 'preact/hooks';

export function navigate(path: string): void {
  if (location.pathname + location.search === path) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
}

/** `/profiles/:id` against `/profiles/3` → {id: '3'}; null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/]+)'))}/?$`);
  const found = regex.exec(path);
  if (!found) return null;
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1]!)]));
  } catch {
    // A malformed escape (`%E0%A4%A`) names no page: "not found", rather than an error that stops the app.
    return null;
  }
}

/** Same-origin links go through the router instead of reloading the page. */
export function interceptLinks(): void {
  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const href = link.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('/api/') || link.hasAttribute('download') || link.target) return;
    event.preventDefault();
    navigate(href);
  });
}
