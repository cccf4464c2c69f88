// The admin API's shapes (GET /accounts, /tokens, /audit; the OpenAPI document has them all).
export type Role = 'admin' | 'viewer';

export interface Account {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  prefix: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown> | null;
}
