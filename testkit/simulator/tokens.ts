/** Access tokens and the workspace each one belongs to. Revoked tokens are remembered so their 401s can be counted. */
export class TokenRegistry {
  private readonly valid = new Map<string, string>();
  private readonly revoked = new Map<string, string>();
  private issued = 0;

  add(token: string, workspaceId: string): void {
    if (this.valid.has(token) || this.revoked.has(token)) throw new Error(`duplicate token ${token}`);
    this.valid.set(token, workspaceId);
  }

  /** Workspace id for a valid token, else null. */
  lookup(token: string): string | null {
    return this.valid.get(token) ?? null;
  }

  revokedWorkspace(token: string): string | null {
    return this.revoked.get(token) ?? null;
  }

  issue(workspaceId: string): string {
    this.issued += 1;
    const token = `tok-${workspaceId}-${this.issued}-${Date.now().toString(36)}`;
    this.valid.set(token, workspaceId);
    return token;
  }

  revokeAll(workspaceId: string): void {
    for (const [token, ws] of this.valid) {
      if (ws !== workspaceId) continue;
      this.valid.delete(token);
      this.revoked.set(token, ws);
    }
  }

  tokensOf(workspaceId: string): string[] {
    return [...this.valid].filter(([, ws]) => ws === workspaceId).map(([t]) => t);
  }
}
