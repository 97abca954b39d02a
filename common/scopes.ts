// Token scopes: read < operate < admin, each including the ones before it; `codec` stands apart and only
// decodes payloads for the Temporal Web UI (its token is visible to anyone who can open the UI).
export const SCOPES = ['read', 'operate', 'admin', 'codec'] as const;
export type Scope = (typeof SCOPES)[number];
/** The scopes a route can require. */
export type ApiScope = Exclude<Scope, 'codec'>;

/** Tokens stored before scopes existed keep the power they had. */
export const LEGACY_SCOPE: Scope = 'admin';

const RANK: Record<ApiScope, number> = { read: 1, operate: 2, admin: 3 };

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Whether a token of scope `held` may do what needs `needed`. */
export function allows(held: Scope, needed: ApiScope): boolean {
  return held !== 'codec' && RANK[held] >= RANK[needed];
}
