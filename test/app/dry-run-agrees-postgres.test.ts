// What a dry run says is what processing then does, on PostgreSQL (the suite: test/support/dry-run-agreement.ts).
import { agreementSuite } from '../support/dry-run-agreement.js';
import { dialects } from '../support/store.js';

// Required on CI: dialects() throws there when PostgreSQL is not reachable.
if ((await dialects()).includes('postgres')) agreementSuite('postgres');
