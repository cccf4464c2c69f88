// Every route module, in one list: a new group of routes is one entry here.
import type { Api, ServerDeps } from '../http-app.js';
import { registerHealth } from './health.js';
import { registerDocs } from './docs.js';
import { registerSession } from './session.js';
import { registerProfiles } from './profiles.js';
import { registerOAuth } from './oauth.js';
import { registerTemplates } from './templates.js';
import { registerRules } from './rules.js';
import { registerMessages } from './messages.js';
import { registerMessageBody } from './message-body.js';
import { registerOutbox } from './outbox.js';
import { registerStats } from './stats.js';
import { registerIntake } from './intake.js';
import { registerAdmin } from './admin.js';
import { registerMetrics } from './metrics.js';
import { registerTracker } from './tracker.js';

export type RouteModule = (api: Api, deps: ServerDeps) => void;

export const ROUTE_MODULES: readonly RouteModule[] = [
  registerHealth,
  registerSession,
  registerProfiles,
  registerOAuth,
  registerTemplates,
  registerRules,
  registerMessages,
  registerMessageBody,
  registerOutbox,
  registerStats,
  registerIntake,
  registerAdmin,
  registerTracker,
  registerMetrics,
  // last: the document describes every route registered before it
  registerDocs,
];
