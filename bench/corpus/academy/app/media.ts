/**
 * The client of the media service (its own process, upstream/server.ts):
 * signed playback tokens for lesson videos, and certificate PDFs rendered
 * from a template, over a keep-alive agent.
 *
 * @module
 */
import { Agent, request } from 'node:http';
import { HttpError } from './context.js';
import { mediaDuration } from './metrics.js';

/** A signed, expiring playback URL for a video asset. */
export interface Playback { url: string; expiresAt: string; renditions: { height: number; bitrateKbps: number }[] }

/** A rendered document. */
export interface RenderedDocument { documentId: string; url: string; sha256: string; pages: number }

/** Talks to the media service at `baseUrl`. */
export class Media {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  constructor(private readonly baseUrl: string) {}

  /** A playback token for `asset`, watched by `learnerId`. */
  async playback(asset: string, learnerId: number): Promise<Playback> {
    return this.call<Playback>('playback_token', '/v1/playback-tokens', { asset, viewer: `learner-${learnerId}`, ttlSeconds: 3600 });
  }

  /** Render the certificate PDF of the given fields. */
  async renderCertificate(fields: Record<string, string>): Promise<RenderedDocument> {
    return this.call<RenderedDocument>('render_certificate', '/v1/documents', { template: 'certificate-2026', fields });
  }

  private call<T>(operation: string, path: string, body: unknown): Promise<T> {
    const end = mediaDuration.startTimer({ operation });
    const payload = JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(`${this.baseUrl}${path}`, {
        method: 'POST', agent: this.agent, timeout: 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => {
          if (res.statusCode !== 200) reject(new HttpError(502, `media service answered ${res.statusCode}`));
          else resolve(JSON.parse(text) as T);
        });
      });
      req.on('timeout', () => req.destroy(new Error('media service timed out')));
      req.on('error', reject);
      req.end(payload);
    }).then(
      (r) => (end({ outcome: 'ok' }), r),
      (error: unknown) => {
        end({ outcome: 'error' });
        throw error;
      },
    );
  }
}
