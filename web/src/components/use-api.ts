// Loading something from the API for a page: the value, the error in words, and a reload.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.js';

export function useApi<T>(path: string | null, deps: unknown[] = []): { data: T | undefined; error: string | null; reload: () => Promise<void> } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    if (!path) return;
    try {
      setData(await api<T>(path));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [path, ...deps]);
  useEffect(() => void reload(), [reload]);
  return { data, error, reload };
}
