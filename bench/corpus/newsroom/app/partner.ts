/**
 * Client of the partner platform (the CDN's rendition signing, the comment
 * moderation model and push notifications), over the runtime's fetch with
 * keep-alive and per-operation timeouts.
 *
 * @module
 */
import type { Metrics } from './metrics.js';

/** An image to sign renditions for. */
export interface RenditionRequest { key: string; width: number; height: number }
/** Signed URLs of one image, by width. */
export interface Rendition { key: string; urls: Record<string, string>; expiresAt: string }
/** The moderation model's verdict on a comment. */
export interface ModerationScore { score: number; labels: string[]; model: string }

/** Thrown when the partner answers non-2xx or times out. */
export class PartnerError extends Error {}

/** The partner platform's API. */
export class PartnerClient {
  constructor(private readonly baseUrl: string, private readonly metrics: Metrics) {}

  private async call<T>(operation: string, path: string, body: unknown, timeoutMs: number): Promise<T> {
    const start = performance.now();
    let outcome = 'ok';
    try {
      const res = await fetch(this.baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-partner-key': 'newsroom-prod' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      if (!res.ok) {
        outcome = 'error';
        throw new PartnerError(`partner ${operation}: HTTP ${res.status} ${text.slice(0, 200)}`);
      }
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (error) {
      if (outcome === 'ok') outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'error';
      throw error instanceof PartnerError ? error : new PartnerError(`partner ${operation}: ${(error as Error).message}`);
    } finally {
      this.metrics.upstreamDuration.observe({ upstream: 'partner', operation, outcome }, (performance.now() - start) / 1000);
    }
  }

  /** Signed CDN URLs of `images` at `widths`. */
  async renditions(images: RenditionRequest[], widths: number[]): Promise<Rendition[]> {
    const out = await this.call<{ renditions: Rendition[] }>('renditions', '/v1/renditions', { images, widths, format: 'webp' }, 5000);
    return out.renditions;
  }

  /** Toxicity score of a comment. */
  moderationScore(text: string, articleId: number): Promise<ModerationScore> {
    return this.call<ModerationScore>('moderation', '/v1/moderation/score', { text, context: { articleId }, lang: 'en' }, 2000);
  }

  /** Queue a push/email notification. */
  async notify(recipient: string, template: string, data: Record<string, unknown>): Promise<void> {
    await this.call<unknown>('notify', '/v1/notifications', { recipient, template, data }, 2000);
  }
}
