// oidc-provider 9 ships no type declarations; this declares the part test/support/oidc-provider.ts uses,
// as read from node_modules/oidc-provider/lib (provider.js, models/*.js, adapters/memory_adapter.js).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** A stored model (Grant, tokens): `jti` is its id, which for opaque tokens is the token itself. */
  interface StoredModel {
    jti: string;
    accountId?: string;
    clientId?: string;
    destroy(): Promise<void>;
  }

  interface ModelClass {
    find(id: string): Promise<StoredModel | undefined>;
  }

  interface TokenClass extends ModelClass {
    /** Removes every token of the grant (the memory adapter indexes all of a grant's tokens together). */
    revokeByGrantId(grantId: string): Promise<void>;
  }

  /** The adapter (storage) of one model; the provider reads clients from it besides `clients`. */
  interface Adapter {
    upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void>;
  }

  interface ClientClass {
    find(id: string): Promise<{ clientId: string } | undefined>;
    /** Throws InvalidClientMetadata (with error_description) for metadata the provider would refuse. */
    validate(metadata: Record<string, unknown>): Promise<void>;
    readonly adapter: Adapter;
  }

  /** The `ctx` oidc-provider hands to event listeners (a Koa context with `oidc`). */
  export interface EventContext {
    oidc?: { params?: Record<string, unknown> };
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    readonly Client: ClientClass;
    readonly Grant: ModelClass;
    readonly AccessToken: TokenClass;
    readonly RefreshToken: TokenClass;
    /** Koa's request handler. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: 'grant.success', listener: (ctx: EventContext) => void): this;
    on(event: 'grant.error' | 'server_error', listener: (ctx: EventContext, err: Error) => void): this;
    on(event: 'grant.saved', listener: (grant: StoredModel) => void): this;
  }

  export default Provider;
}
