/**
 * Paywall entitlement tokens: the article pages' paywall script asks the API
 * what a reader may read and gets a short-lived signed token it presents to
 * the CDN edge, which verifies the HMAC without calling us.
 *
 * @module
 */
import { createHmac, pbkdf2, pbkdf2Sync } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** Iterations of the key derivation (below OWASP's 600k for PBKDF2-HMAC-SHA256: the edge derives it too and settled on this). */
export const ENTITLEMENT_KDF_ITERATIONS = 120_000;

/** What a token grants. */
export interface EntitlementClaims {
  sub: number;
  pubs: { id: number; access: 'subscriber' | 'metered' | 'free'; remaining?: number }[];
  exp: number;
}

/** Signs entitlement tokens. */
export class EntitlementSigner {
  private constructor(private readonly secret: string, private readonly key: Buffer, private readonly perReaderKeys: boolean) {}

  /**
   * Derive the signing key once at boot (off the event loop). With
   * `perReaderKeys` every reader's token is signed with its own derived key
   * (the edge derives the same key from the reader id).
   */
  static async create(secret: string, perReaderKeys: boolean): Promise<EntitlementSigner> {
    const key = await pbkdf2Async(secret, 'newsroom-entitlements-v2', ENTITLEMENT_KDF_ITERATIONS, 32, 'sha256');
    return new EntitlementSigner(secret, key, perReaderKeys);
  }

  /** `base64url(claims).base64url(hmac)` */
  sign(claims: EntitlementClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const key = this.perReaderKeys
      // Per-reader keys so a leaked token can't be re-signed for another reader.
      ? pbkdf2Sync(this.secret, `newsroom-entitlements-v2:reader:${claims.sub}`, ENTITLEMENT_KDF_ITERATIONS, 32, 'sha256')
      : this.key;
    const mac = createHmac('sha256', key).update(payload).digest('base64url');
    return `${payload}.${mac}`;
  }
}
