// Re-delivered mail against Dovecot on SQLite: see redelivery.ts.
import { redeliveryTests } from './redelivery.js';

await redeliveryTests('sqlite');
