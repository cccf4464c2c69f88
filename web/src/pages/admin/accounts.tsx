// Admin → Accounts: who may sign in and with which role; add, change role, set a new password, remove.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ActionButton } from '../../components/action-button.js';
import type { Account } from '../../components/admin-types.js';
import { when } from '../../components/health.js';
import { useApi } from '../../components/use-api.js';
import { loadSession, me } from '../../session.js';
import { AddAccountForm } from './account-add.js';
import { PasswordForm } from './account-password.js';

export function AccountsPage() {
  const accounts = useApi<{ accounts: Account[] }>('/accounts');
  const [notice, setNotice] = useState<string | null>(null);
  // The notice follows the reload so that, when it is announced, the list already shows what it says.
  const changed = async (message: string | null) => {
    await accounts.reload();
    if (message) setNotice(message);
  };
  return (
    <section>
      <h1>Accounts</h1>
      <p class="hint">People who sign in to mailbind. Scripts use <a href="/admin/tokens">API tokens</a> instead.</p>
      {accounts.error && <p class="error" role="alert">{accounts.error}</p>}
      {notice && <p class="saved" role="status">{notice}</p>}
      {accounts.data && (
        <table class="admin-table">
          <caption class="visually-hidden">Accounts</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Added</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {accounts.data.accounts.map((account) => <AccountRow key={account.id} account={account} onChanged={changed} />)}
          </tbody>
        </table>
      )}
      <AddAccountForm onAdded={(name) => void changed(`Account ${name} added.`)} />
    </section>
  );
}

function AccountRow({ account, onChanged }: { account: Account; onChanged: (message: string | null) => Promise<void> }) {
  const [settingPassword, setSettingPassword] = useState(false);
  const path = `/accounts/${encodeURIComponent(account.name)}`;
  const other = account.role === 'admin' ? 'viewer' : 'admin';
  const self = me.value?.name === account.name;
  return (
    <tr>
      <th scope="row">{account.name}{self && <span class="hint"> (you)</span>}</th>
      <td>{account.role}</td>
      <td>{when(account.createdAt)}</td>
      <td><div class="actions">
        <ActionButton label={`Make ${other}`} onAction={async () => {
          await api(path, { method: 'PATCH', body: { role: other } });
          // Demoting yourself changes what this UI may show you.
          if (self) await loadSession();
          await onChanged(`${account.name} is now ${other === 'admin' ? 'an admin' : 'a viewer'}.`);
        }} />
        {settingPassword
          ? <PasswordForm name={account.name} onDone={(message) => { setSettingPassword(false); void onChanged(message); }} />
          : <button type="button" class="secondary" onClick={() => setSettingPassword(true)}>Set password</button>}
        <ActionButton label="Remove" confirm={`Remove ${account.name}? Their sessions and tokens end.`} onAction={async () => {
          await api(path, { method: 'DELETE' });
          await onChanged(`Account ${account.name} removed.`);
        }} />
      </div></td>
    </tr>
  );
}
