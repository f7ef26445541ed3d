/**
 * Database access: kysely over a pg Pool, plus the table types.
 *
 * @module
 */
import { Kysely, PostgresDialect, type Generated, type ColumnType } from 'kysely';
import pg from 'pg';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateCol = ColumnType<Date, Date | string | null | undefined, Date | string | null>;

export interface AirportTable { code: string; idx: number; city: string; country: string; name: string }
export interface AircraftTypeTable {
  code: string; name: string;
  business_rows: number; business_letters: string;
  premium_rows: number; premium_letters: string;
  economy_rows: number; economy_letters: string;
}
export interface FlightTable {
  id: Generated<number>; flight_no: string; carrier: string; origin: string; destination: string;
  depart_at: Timestamp; arrive_at: Timestamp; aircraft: string;
  economy_cents: number; premium_cents: number; business_cents: number; promo_pct: Generated<number>; status: Generated<string>;
}
export interface FareRuleTable {
  fare_class: string; cabin: string; title: string; refundable: boolean; change_fee_cents: number;
  baggage: { cabinBagKg: number; checkedBags: number; checkedBagKg: number }; conditions: string;
}
export interface TravellerTable {
  id: Generated<number>; first_name: string; last_name: string; email: string; phone: string; nationality: string;
  birth_date: DateCol; passport_no: string; passport_expiry: DateCol; document_token: string; created_at: Timestamp;
}
export interface HotelTable {
  id: Generated<number>; name: string; city: string; country: string; stars: number; rating: string;
  base_rate_cents: number; address: string; description: string; amenities: string[];
}
export interface ItineraryTable { id: Generated<number>; name: string; owner_id: number; status: string; created_at: Timestamp }
export interface BookingTable {
  id: Generated<string>; reference: string; traveller_id: number; itinerary_id: number | null; flight_id: number;
  cabin: string; fare_class: string; seat: string | null; hotel_id: number | null; checkin: DateCol; nights: number | null;
  status: string; total_cents: number; currency: Generated<string>; payment_ref: string | null; created_at: Timestamp;
}
export interface LoyaltyProgrammeTable { id: number; code: string; name: string; points_outstanding: ColumnType<string, string | number, string | number>; updated_at: Timestamp }
export interface LoyaltyAccountTable { traveller_id: number; programme_id: number; tier: string; balance: number; lifetime_points: number; updated_at: Timestamp }
export interface LoyaltyTransactionTable {
  id: Generated<string>; traveller_id: number; booking_id: string | null; kind: string; points: number; description: string; created_at: Timestamp;
}
export interface OutboxTable { id: Generated<string>; topic: string; payload: unknown; created_at: Timestamp }

export interface Database {
  airports: AirportTable;
  aircraft_types: AircraftTypeTable;
  flights: FlightTable;
  fare_rules: FareRuleTable;
  travellers: TravellerTable;
  hotels: HotelTable;
  itineraries: ItineraryTable;
  bookings: BookingTable;
  loyalty_programmes: LoyaltyProgrammeTable;
  loyalty_accounts: LoyaltyAccountTable;
  loyalty_transactions: LoyaltyTransactionTable;
  outbox: OutboxTable;
}

export function createDb(connectionString: string, max: number): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max, application_name: 'voyage-api', connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  pool.on('error', (err) => console.error('pg pool error', err.message));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}
