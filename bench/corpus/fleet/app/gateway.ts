/**
 * The client of the bike vendor's lock gateway (its own process,
 * gateway/server.ts): unlocking a bike, a lock's telemetry of the last hour,
 * and the feed of locks closing at stations, over a keep-alive agent.
 *
 * @module
 */
import { Agent, request } from 'node:http';
import { HttpError } from './context.js';
import { gatewayDuration } from './metrics.js';

/** One ping of a bike's smart lock. */
export interface Ping { ts: string; lat: number; lon: number; batteryPct: number; speedKmh: number; locked: boolean; signalDbm: number; tempC: number }

/** A lock's telemetry: its latest ping and the pings of the last hour (oldest first). */
export interface Telemetry { bikeId: number; firmware: string; latest: Ping; samples: Ping[] }

/** A lock closing at a station: the end of a ride. */
export interface LockEvent { seq: number; bikeId: number; stationId: number; distanceM: number; lockedAt: string }

/** Talks to the lock gateway at `baseUrl`. */
export class Gateway {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  constructor(private readonly baseUrl: string) {}

  /** Open a bike's lock; 502 when the gateway refuses or fails. */
  async unlock(bikeId: number): Promise<{ commandId: string }> {
    const { status, text } = await this.call('unlock', 'POST', `/bikes/${bikeId}/unlock`);
    if (status !== 200) throw new HttpError(502, `lock gateway answered ${status}`);
    return JSON.parse(text) as { commandId: string };
  }

  /** The lock's pings of the last hour. */
  async telemetry(bikeId: number): Promise<Telemetry> {
    const { status, text } = await this.call('telemetry', 'GET', `/bikes/${bikeId}/telemetry?window=3600`);
    if (status !== 200) throw new HttpError(502, `lock gateway answered ${status}`);
    return JSON.parse(text) as Telemetry;
  }

  /** Lock events after `seq`. */
  async lockEvents(after: number): Promise<{ events: LockEvent[]; last: number }> {
    const { status, text } = await this.call('lock_events', 'GET', `/lock-events?after=${after}`);
    if (status !== 200) throw new Error(`lock gateway answered ${status}`);
    return JSON.parse(text) as { events: LockEvent[]; last: number };
  }

  private call(operation: string, method: string, path: string): Promise<{ status: number; text: string }> {
    const end = gatewayDuration.startTimer({ operation });
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${this.baseUrl}${path}`, { method, agent: this.agent, timeout: 10_000 }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('timeout', () => req.destroy(new Error('lock gateway timed out')));
      req.on('error', reject);
      req.end();
    }).then(
      (r) => (end({ outcome: r.status < 400 ? 'ok' : 'error' }), r),
      (error: unknown) => {
        end({ outcome: 'error' });
        throw error;
      },
    );
  }
}
