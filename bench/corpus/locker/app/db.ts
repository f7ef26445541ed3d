/**
 * Persistence: TypeORM data sources (the main read/write pool and the public
 * API's read-only pool) and the entity mappings.
 *
 * @module
 */
import { DataSource, EntitySchema } from 'typeorm';

export interface Site {
  id: number; code: string; city: string; address: string; lat: number; lng: number; status: string;
  firmware: string; temperatureC: number | null; openedAt: Date; lastHeartbeatAt: Date;
}
export interface Compartment { id: number; siteId: number; label: string; size: string; status: string; updatedAt: Date }
export interface Courier { id: number; name: string; company: string; phone: string; vehicle: string; active: boolean; createdAt: Date }
export interface Recipient { id: number; name: string; phone: string; email: string | null; locale: string; createdAt: Date }
export interface Parcel {
  id: number; trackingCode: string; recipientId: number; courierId: number; siteId: number; compartmentId: number | null;
  size: string; weightG: number; sender: string; status: string; pickupCode: string; createdAt: Date;
  depositedAt: Date | null; pickedUpAt: Date | null; dueAt: Date | null; updatedAt: Date;
}
export interface ParcelEvent { id: string; parcelId: number; kind: string; at: Date; actor: string; siteId: number | null }
export interface Route { id: number; courierId: number; day: string; status: string; plannedKm: number }
export interface RouteStop { id: number; routeId: number; seq: number; siteId: number; eta: Date }
export interface Payment {
  id: string; parcelId: number; kind: string; amountCents: number; currency: string; status: string;
  partnerRef: string | null; createdAt: Date; updatedAt: Date;
}
export interface ReturnRequest { id: string; parcelId: number; reason: string; status: string; labelChannel: string; dropoffCode: string; createdAt: Date }
export interface Notification {
  id: string; recipientId: number; parcelId: number; channel: string; template: string; status: string; providerRef: string | null; createdAt: Date;
}

const ts = (name: string, nullable = false) => ({ type: 'timestamptz' as const, name, nullable });

export const SiteEntity = new EntitySchema<Site>({
  name: 'Site', tableName: 'sites',
  columns: {
    id: { type: 'int', primary: true }, code: { type: 'text' }, city: { type: 'text' }, address: { type: 'text' },
    lat: { type: 'double precision' }, lng: { type: 'double precision' }, status: { type: 'text' }, firmware: { type: 'text' },
    temperatureC: { type: 'real', name: 'temperature_c', nullable: true }, openedAt: ts('opened_at'), lastHeartbeatAt: ts('last_heartbeat_at'),
  },
});
export const CompartmentEntity = new EntitySchema<Compartment>({
  name: 'Compartment', tableName: 'compartments',
  columns: {
    id: { type: 'int', primary: true }, siteId: { type: 'int', name: 'site_id' }, label: { type: 'text' }, size: { type: 'char', length: 1 },
    status: { type: 'text' }, updatedAt: ts('updated_at'),
  },
});
export const CourierEntity = new EntitySchema<Courier>({
  name: 'Courier', tableName: 'couriers',
  columns: {
    id: { type: 'int', primary: true }, name: { type: 'text' }, company: { type: 'text' }, phone: { type: 'text' }, vehicle: { type: 'text' },
    active: { type: 'boolean' }, createdAt: ts('created_at'),
  },
});
export const RecipientEntity = new EntitySchema<Recipient>({
  name: 'Recipient', tableName: 'recipients',
  columns: {
    id: { type: 'int', primary: true }, name: { type: 'text' }, phone: { type: 'text' }, email: { type: 'text', nullable: true },
    locale: { type: 'text' }, createdAt: ts('created_at'),
  },
});
export const ParcelEntity = new EntitySchema<Parcel>({
  name: 'Parcel', tableName: 'parcels',
  columns: {
    id: { type: 'int', primary: true }, trackingCode: { type: 'text', name: 'tracking_code' }, recipientId: { type: 'int', name: 'recipient_id' },
    courierId: { type: 'int', name: 'courier_id' }, siteId: { type: 'int', name: 'site_id' },
    compartmentId: { type: 'int', name: 'compartment_id', nullable: true }, size: { type: 'char', length: 1 }, weightG: { type: 'int', name: 'weight_g' },
    sender: { type: 'text' }, status: { type: 'text' }, pickupCode: { type: 'text', name: 'pickup_code' }, createdAt: ts('created_at'),
    depositedAt: ts('deposited_at', true), pickedUpAt: ts('picked_up_at', true), dueAt: ts('due_at', true), updatedAt: ts('updated_at'),
  },
});
export const ParcelEventEntity = new EntitySchema<ParcelEvent>({
  name: 'ParcelEvent', tableName: 'parcel_events',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' }, parcelId: { type: 'int', name: 'parcel_id' }, kind: { type: 'text' },
    at: { type: 'timestamptz' }, actor: { type: 'text' }, siteId: { type: 'int', name: 'site_id', nullable: true },
  },
});
export const RouteEntity = new EntitySchema<Route>({
  name: 'Route', tableName: 'routes',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' }, courierId: { type: 'int', name: 'courier_id' }, day: { type: 'date' },
    status: { type: 'text' }, plannedKm: { type: 'real', name: 'planned_km' },
  },
});
export const RouteStopEntity = new EntitySchema<RouteStop>({
  name: 'RouteStop', tableName: 'route_stops',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' }, routeId: { type: 'int', name: 'route_id' }, seq: { type: 'int' },
    siteId: { type: 'int', name: 'site_id' }, eta: { type: 'timestamptz' },
  },
});
export const PaymentEntity = new EntitySchema<Payment>({
  name: 'Payment', tableName: 'payments',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' }, parcelId: { type: 'int', name: 'parcel_id' }, kind: { type: 'text' },
    amountCents: { type: 'int', name: 'amount_cents' }, currency: { type: 'text' }, status: { type: 'text' },
    partnerRef: { type: 'text', name: 'partner_ref', nullable: true }, createdAt: ts('created_at'), updatedAt: ts('updated_at'),
  },
});
export const ReturnEntity = new EntitySchema<ReturnRequest>({
  name: 'ReturnRequest', tableName: 'returns',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' }, parcelId: { type: 'int', name: 'parcel_id' }, reason: { type: 'text' },
    status: { type: 'text' }, labelChannel: { type: 'text', name: 'label_channel' }, dropoffCode: { type: 'text', name: 'dropoff_code' },
    createdAt: ts('created_at'),
  },
});
export const NotificationEntity = new EntitySchema<Notification>({
  name: 'Notification', tableName: 'notifications',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' }, recipientId: { type: 'int', name: 'recipient_id' },
    parcelId: { type: 'int', name: 'parcel_id' }, channel: { type: 'text' }, template: { type: 'text' }, status: { type: 'text' },
    providerRef: { type: 'text', name: 'provider_ref', nullable: true }, createdAt: ts('created_at'),
  },
});

export const ENTITIES = [SiteEntity, CompartmentEntity, CourierEntity, RecipientEntity, ParcelEntity, ParcelEventEntity, RouteEntity,
  RouteStopEntity, PaymentEntity, ReturnEntity, NotificationEntity];

/** The main data source (read/write, app role). */
export function mainDataSource(url: string, poolMax: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    synchronize: false,
    logging: false,
    applicationName: 'locker-api',
    extra: { max: poolMax, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 },
  });
}

/** The public API's read-only data source (locker finder), under its own least-privilege role. */
export function publicDataSource(url: string, poolMax: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: [],
    synchronize: false,
    logging: false,
    applicationName: 'locker-public',
    extra: { max: poolMax, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 },
  });
}
