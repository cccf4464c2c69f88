// Admin → API tokens: what scripts sign in with. Created here and shown once; listed by name and
// prefix only; revoked with one button.
import { api } from '../../api.js';
import { ActionButton } from '../../components/action-button.js';
import type { ApiToken } from '../../components/admin-types.js';
import { when } from '../../components/health.js';
import { useApi } from '../../components/use-api.js';
import { CreateTokenForm } from './token-create.js';

export function TokensPage() {
  const tokens = useApi<{ tokens: ApiToken[] }>('/tokens');
  const list = tokens.data?.tokens;
  return (
    <section>
      <h1>API tokens</h1>
      <p class="hint">Scripts send a token as <code>Authorization: Bearer …</code>. A token has the role it was given, and ends when it is revoked or its creator's account is removed.</p>
      <CreateTokenForm onCreated={() => void tokens.reload()} />
      <h2>Tokens</h2>
      {tokens.error && <p class="error" role="alert">{tokens.error}</p>}
      {list && list.length === 0 && <p class="empty">No API tokens yet — create one above for each script that calls the API.</p>}
      {list && list.length > 0 && (
        <table class="admin-table">
          <caption class="visually-hidden">API tokens</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Starts with</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th></tr></thead>
          <tbody>
            {list.map((token) => (
              <tr key={token.id}>
                <th scope="row">{token.name}</th>
                <td>{token.role}</td>
                <td><code>{token.prefix}…</code></td>
                <td>{when(token.createdAt)} by {token.createdBy}</td>
                <td>{token.lastUsedAt ? when(token.lastUsedAt) : 'never'}</td>
                <td><div class="actions">
                  {token.revokedAt
                    ? <span class="badge neutral">revoked {when(token.revokedAt)}</span>
                    : <ActionButton label="Revoke" confirm={`Revoke ${token.name}? Scripts using it stop working.`} onAction={async () => {
                        await api(`/tokens/${token.id}`, { method: 'DELETE' });
                        await tokens.reload();
                      }} />}
                </div></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
