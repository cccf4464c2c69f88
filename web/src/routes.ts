// Every page of the UI, in one list: a new page is one entry here (path pattern, title for the nav,
// the component, and whether only admins see it). The nav shows the entries that have a `nav` label.
import type { ComponentType } from 'preact';
import { DashboardPage } from './pages/dashboard.js';
import { ProfilesPage } from './pages/profiles.js';
import { ProfileEditPage } from './pages/profile-edit.js';
import { AccountsPage } from './pages/admin/accounts.js';
import { TokensPage } from './pages/admin/tokens.js';
import { AuditPage } from './pages/admin/audit.js';
import { MessagesPage } from './pages/messages.js';
import { MessagePage } from './pages/message.js';
import { TrackerPage } from './pages/tracker.js';
import { ProjectPage } from './pages/project.js';
import { ItemPage } from './pages/item.js';

export interface Route {
  path: string;
  component: ComponentType<{ params: Record<string, string> }>;
  /** The label in the navigation, when the page has one there. */
  nav?: string;
  adminOnly?: boolean;
}

export const ROUTES: Route[] = [
  { path: '/', component: DashboardPage, nav: 'Dashboard' },
  { path: '/settings/plugins/email-integration', component: ProfilesPage, nav: 'Email Integration' },
  { path: '/settings/plugins/email-integration/new', component: ProfileEditPage, adminOnly: true },
  { path: '/settings/plugins/email-integration/:id', component: ProfileEditPage },
  { path: '/messages', component: MessagesPage, nav: 'Messages' },
  { path: '/messages/:id', component: MessagePage },
  { path: '/tracker', component: TrackerPage, nav: 'Tracker' },
  { path: '/tracker/projects/:id', component: ProjectPage },
  { path: '/tracker/:list/:id', component: ItemPage },
  { path: '/admin/accounts', component: AccountsPage, nav: 'Accounts', adminOnly: true },
  { path: '/admin/tokens', component: TokensPage, nav: 'API tokens', adminOnly: true },
  { path: '/admin/audit', component: AuditPage, nav: 'Audit log', adminOnly: true },
];
