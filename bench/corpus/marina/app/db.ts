/**
 * TypeORM 0.3 data source of the marina API: EntitySchema definitions (no
 * decorators) over the pg driver, pool of MARINA_PG_POOL_MAX connections,
 * application_name 'marina-api'.
 *
 * @module
 */
import { DataSource, EntitySchema } from 'typeorm';

export interface Harbour { id: number; code: string; name: string; region: string; latitude: string; longitude: string; maxDraftM: string; phone: string; vhfChannel: number }
export interface Berth { id: number; harbourId: number; code: string; pontoon: string; lengthM: string; widthM: string; depthM: string; dailyRateCents: number; hasPower: boolean; hasWater: boolean; status: string }
export interface Owner { id: number; fullName: string; email: string; phone: string; country: string; createdAt: Date }
export interface Boat { id: number; ownerId: number; name: string; registration: string; kind: string; lengthM: string; beamM: string; draftM: string; insurance: { provider: string; policy: string; expiresOn: string } | null; createdAt: Date }
export interface Reservation { id: string; berthId: number; boatId: number; ownerId: number; startsOn: string; endsOn: string; status: string; totalCents: number; notes: string | null; createdAt: Date }
export interface Invoice { id: string; number: string; ownerId: number; reservationId: string | null; harbourId: number; amountCents: number; nights: number; lengthM: string; status: string; issuedAt: Date; dueOn: string; paidAt: Date | null }
export interface Payment { id: string; invoiceId: string; amountCents: number; providerRef: string; createdAt: Date }
export interface FuelOrder { id: string; receiptNo: string; boatId: number; harbourId: number; fuelType: string; litres: string; priceCents: number; status: string; orderedAt: Date }
export interface FuelTank { harbourId: number; fuelType: string; capacityLitres: number; litresAvailable: string; priceCentsPerLitre: number }
export interface Notice { id: string; harbourId: number | null; severity: string; title: string; body: string; publishedAt: Date; expiresAt: Date | null }

const col = (type: 'integer' | 'text' | 'numeric' | 'boolean' | 'date' | 'timestamptz' | 'jsonb' | 'bigint', name: string, extra: Record<string, unknown> = {}) => ({ type, name, ...extra }) as const;

export const HarbourEntity = new EntitySchema<Harbour>({
  name: 'Harbour', tableName: 'harbours',
  columns: {
    id: { type: 'integer', primary: true }, code: col('text', 'code'), name: col('text', 'name'), region: col('text', 'region'),
    latitude: col('numeric', 'latitude'), longitude: col('numeric', 'longitude'), maxDraftM: col('numeric', 'max_draft_m'),
    phone: col('text', 'phone'), vhfChannel: col('integer', 'vhf_channel'),
  },
});

export const BerthEntity = new EntitySchema<Berth>({
  name: 'Berth', tableName: 'berths',
  columns: {
    id: { type: 'integer', primary: true }, harbourId: col('integer', 'harbour_id'), code: col('text', 'code'), pontoon: col('text', 'pontoon'),
    lengthM: col('numeric', 'length_m'), widthM: col('numeric', 'width_m'), depthM: col('numeric', 'depth_m'),
    dailyRateCents: col('integer', 'daily_rate_cents'), hasPower: col('boolean', 'has_power'), hasWater: col('boolean', 'has_water'), status: col('text', 'status'),
  },
});

export const OwnerEntity = new EntitySchema<Owner>({
  name: 'Owner', tableName: 'owners',
  columns: {
    id: { type: 'integer', primary: true }, fullName: col('text', 'full_name'), email: col('text', 'email'), phone: col('text', 'phone'),
    country: col('text', 'country'), createdAt: col('timestamptz', 'created_at'),
  },
});

export const BoatEntity = new EntitySchema<Boat>({
  name: 'Boat', tableName: 'boats',
  columns: {
    id: { type: 'integer', primary: true }, ownerId: col('integer', 'owner_id'), name: col('text', 'name'), registration: col('text', 'registration'),
    kind: col('text', 'kind'), lengthM: col('numeric', 'length_m'), beamM: col('numeric', 'beam_m'), draftM: col('numeric', 'draft_m'),
    insurance: col('jsonb', 'insurance', { nullable: true }), createdAt: col('timestamptz', 'created_at'),
  },
});

export const ReservationEntity = new EntitySchema<Reservation>({
  name: 'Reservation', tableName: 'reservations',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' }, berthId: col('integer', 'berth_id'), boatId: col('integer', 'boat_id'),
    ownerId: col('integer', 'owner_id'), startsOn: col('date', 'starts_on'), endsOn: col('date', 'ends_on'), status: col('text', 'status'),
    totalCents: col('integer', 'total_cents'), notes: col('text', 'notes', { nullable: true }), createdAt: col('timestamptz', 'created_at'),
  },
});

export const InvoiceEntity = new EntitySchema<Invoice>({
  name: 'Invoice', tableName: 'invoices',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' }, number: col('text', 'number'), ownerId: col('integer', 'owner_id'),
    reservationId: col('bigint', 'reservation_id', { nullable: true }), harbourId: col('integer', 'harbour_id'), amountCents: col('integer', 'amount_cents'),
    nights: col('integer', 'nights'), lengthM: col('numeric', 'length_m'), status: col('text', 'status'), issuedAt: col('timestamptz', 'issued_at'),
    dueOn: col('date', 'due_on'), paidAt: col('timestamptz', 'paid_at', { nullable: true }),
  },
});

export const PaymentEntity = new EntitySchema<Payment>({
  name: 'Payment', tableName: 'payments',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' }, invoiceId: col('bigint', 'invoice_id'), amountCents: col('integer', 'amount_cents'),
    providerRef: col('text', 'provider_ref'), createdAt: col('timestamptz', 'created_at', { createDate: true }),
  },
});

export const FuelOrderEntity = new EntitySchema<FuelOrder>({
  name: 'FuelOrder', tableName: 'fuel_orders',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' }, receiptNo: col('bigint', 'receipt_no'), boatId: col('integer', 'boat_id'),
    harbourId: col('integer', 'harbour_id'), fuelType: col('text', 'fuel_type'), litres: col('numeric', 'litres'), priceCents: col('integer', 'price_cents'),
    status: col('text', 'status'), orderedAt: col('timestamptz', 'ordered_at'),
  },
});

export const FuelTankEntity = new EntitySchema<FuelTank>({
  name: 'FuelTank', tableName: 'fuel_tanks',
  columns: {
    harbourId: { type: 'integer', name: 'harbour_id', primary: true }, fuelType: { type: 'text', name: 'fuel_type', primary: true },
    capacityLitres: col('integer', 'capacity_litres'), litresAvailable: col('numeric', 'litres_available'), priceCentsPerLitre: col('integer', 'price_cents_per_litre'),
  },
});

export const NoticeEntity = new EntitySchema<Notice>({
  name: 'Notice', tableName: 'notices',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' }, harbourId: col('integer', 'harbour_id', { nullable: true }), severity: col('text', 'severity'),
    title: col('text', 'title'), body: col('text', 'body'), publishedAt: col('timestamptz', 'published_at'), expiresAt: col('timestamptz', 'expires_at', { nullable: true }),
  },
});

export function createDataSource(url: string, poolSize: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    applicationName: 'marina-api',
    poolSize,
    synchronize: false,
    logging: false,
    entities: [HarbourEntity, BerthEntity, OwnerEntity, BoatEntity, ReservationEntity, InvoiceEntity, PaymentEntity, FuelOrderEntity, FuelTankEntity, NoticeEntity],
    extra: { idleTimeoutMillis: 30_000, connectionTimeoutMillis: 20_000 },
  });
}
