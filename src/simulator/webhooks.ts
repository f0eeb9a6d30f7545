import { createHmac, randomUUID } from 'node:crypto';

/** What a change in a workspace sends, as Intercom's `notification_event` would carry it. */
export interface WebhookEvent {
  workspaceId: string;
  topic: string;
  item: unknown;
}

export interface WebhookTarget {
  /** Where deliveries are POSTed; null stops them. */
  url: string | null;
  /** Share of deliveries dropped without a request (a lost webhook), 0..1. */
  dropRate?: number;
}

export interface WebhookStats {
  sent: number;
  dropped: number;
  failed: number;
}

/**
 * Signs and POSTs webhooks the way Intercom documents it: a `notification_event` JSON body,
 * `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body with the app's client secret>`. One
 * attempt per event (Intercom retries; a test that wants a retry sends the body again).
 */
export class WebhookSender {
  private target: WebhookTarget = { url: null };
  private readonly inFlight = new Set<Promise<void>>();
  readonly stats: WebhookStats = { sent: 0, dropped: 0, failed: 0 };

  constructor(
    private readonly secret: string,
    private readonly now: () => number,
    private readonly random: () => number,
  ) {}

  get active(): boolean {
    return this.target.url !== null;
  }

  configure(t: WebhookTarget): void {
    if (t.dropRate !== undefined && !(t.dropRate >= 0 && t.dropRate <= 1)) throw new Error('dropRate must be within 0..1');
    this.target = { ...t };
  }

  /** The body and headers of one delivery, for tests that send (or tamper with) it themselves. */
  build(e: WebhookEvent): { body: string; headers: Record<string, string> } {
    const sec = Math.floor(this.now() / 1000);
    const body = JSON.stringify({
      type: 'notification_event',
      app_id: e.workspaceId,
      id: `notif_${randomUUID()}`,
      topic: e.topic,
      created_at: sec,
      first_sent_at: sec,
      delivery_attempts: 1,
      data: { type: 'notification_event_data', item: e.item },
    });
    return { body, headers: { 'content-type': 'application/json', 'x-hub-signature': `sha1=${createHmac('sha1', this.secret).update(body).digest('hex')}` } };
  }

  emit(e: WebhookEvent): void {
    const url = this.target.url;
    if (url === null) return;
    if ((this.target.dropRate ?? 0) > 0 && this.random() < (this.target.dropRate ?? 0)) {
      this.stats.dropped += 1;
      return;
    }
    const { body, headers } = this.build(e);
    const p = fetch(url, { method: 'POST', body, headers }).then(
      async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) this.stats.sent += 1;
        else this.stats.failed += 1;
      },
      () => {
        this.stats.failed += 1;
      },
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Waits for the deliveries already started. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
