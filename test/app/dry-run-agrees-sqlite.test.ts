// What a dry run says is what processing then does, on SQLite (the suite: test/support/dry-run-agreement.ts;
// PostgreSQL in dry-run-agrees-postgres.test.ts, a file of its own to stay within the per-file time budget).
import { agreementSuite } from '../support/dry-run-agreement.js';

agreementSuite('sqlite');
