// Re-delivered mail against Dovecot on PostgreSQL: see redelivery.ts.
import { redeliveryTests } from './redelivery.js';

await redeliveryTests('postgres');
