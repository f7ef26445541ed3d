/**
 * Service configuration from the environment, the way the shop is deployed.
 * `SHOP_FAULT` names the planted fault of the corpus case (unset = healthy);
 * each module checks it where the buggy variant of its code lives.
 *
 * @module
 */

import { SHOP_FAULTS, type ShopFault } from './faults.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const fault = process.env.SHOP_FAULT || null;
if (fault !== null && !(SHOP_FAULTS as readonly string[]).includes(fault)) throw new Error(`unknown SHOP_FAULT ${fault}`);

/** Resolved configuration. */
export const config = {
  port: Number(process.env.PORT ?? 0),
  pgUrl: required('PG_URL'),
  redisUrl: required('REDIS_URL'),
  partnerApiUrl: required('PARTNER_API_URL'),
  fault: fault as ShopFault | null,
  // The checkout-holds-connection incident: the deployment also had DB_POOL_MAX lowered to 3.
  dbPoolMax: Number(process.env.DB_POOL_MAX ?? (fault === 'checkout-holds-connection' ? 3 : 10)),
  productCacheTtlSeconds: 300,
};

/** True when the named fault is switched on. */
export function faultOn(name: ShopFault): boolean {
  return config.fault === name;
}
