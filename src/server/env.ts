// What every request handler may read from its context: the app (use cases), who asks, and the
// request's own logger. Set by the middlewares in http-app.ts and auth.ts.
import type { Logger } from 'pino';
import type { App } from '../app/app.js';
import type { Principal } from '../app/principal.js';

export interface HttpEnv {
  Variables: {
    app: App;
    logger: Logger;
    /** Who asks; absent until auth.ts found a session or a token. */
    principal?: Principal;
    /** Set when the principal came from a browser session: state changes then need its CSRF token. */
    csrfToken?: string;
  };
}
