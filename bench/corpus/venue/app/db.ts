/**
 * The venue's database access: Sequelize 6 over pg with a pool of 5
 * connections (the per-replica budget), the models and their associations.
 *
 * @module
 */
import {
  DataTypes, Model, Sequelize,
  type BelongsToGetAssociationMixin, type CreationOptional, type HasManyGetAssociationsMixin,
  type InferAttributes, type InferCreationAttributes, type NonAttribute,
} from 'sequelize';
import { watchPool } from './metrics.js';

/** Connections of the pool. */
export const POOL_MAX = 5;

/** A venue (hall or arena) in a city. */
export class Venue extends Model<InferAttributes<Venue>, InferCreationAttributes<Venue>> {
  declare id: number;
  declare name: string;
  declare city: string;
  declare capacity: number;
  declare firstSeatId: number;
}

/** One seat of a venue's seat map. */
export class Seat extends Model<InferAttributes<Seat>, InferCreationAttributes<Seat>> {
  declare id: number;
  declare venueId: number;
  declare section: string;
  declare rowLabel: string;
  declare number: number;
  declare tier: number;
}

/** A price tier of an event, as stored in `events.price_tiers`. */
export interface PriceTier { tier: number; name: string; priceCents: number }

/** An event (a show at a venue). */
export class Event extends Model<InferAttributes<Event>, InferCreationAttributes<Event>> {
  declare id: number;
  declare venueId: number;
  declare title: string;
  declare description: string;
  declare city: string;
  declare startsAt: Date;
  declare status: string;
  declare capacity: number;
  declare sold: number;
  declare held: number;
  declare priceTiers: PriceTier[];
  declare updatedAt: Date;
  declare venue?: NonAttribute<Venue>;
  declare getVenue: BelongsToGetAssociationMixin<Venue>;
}

/** A customer account. */
export class Customer extends Model<InferAttributes<Customer>, InferCreationAttributes<Customer>> {
  declare id: number;
  declare email: string;
  declare name: string;
  declare createdAt: Date;
}

/** An order: one checkout of 1-n tickets of one event; guest checkouts have no customer. */
export class Order extends Model<InferAttributes<Order>, InferCreationAttributes<Order>> {
  declare id: CreationOptional<number>;
  declare customerId: number | null;
  declare guestEmail: string | null;
  declare eventId: number;
  declare status: string;
  declare ticketCount: number;
  declare totalCents: number;
  declare paymentRef: string | null;
  declare createdAt: Date;
  declare event?: NonAttribute<Event>;
  declare customer?: NonAttribute<Customer | null>;
  declare tickets?: NonAttribute<Ticket[]>;
  declare getEvent: BelongsToGetAssociationMixin<Event>;
  declare getTickets: HasManyGetAssociationsMixin<Ticket>;
}

/** A ticket: a seat (or general admission when seatId is null) of an event, with its gate code. */
export class Ticket extends Model<InferAttributes<Ticket>, InferCreationAttributes<Ticket>> {
  declare id: CreationOptional<number>;
  declare orderId: number;
  declare eventId: number;
  declare seatId: number | null;
  declare code: string;
  declare tier: number;
  declare priceCents: number;
  declare holderName: string;
  declare issuedAt: Date;
  declare scannedAt: Date | null;
  declare seat?: NonAttribute<Seat | null>;
  declare event?: NonAttribute<Event>;
}

/** A seat held for a customer for a few minutes while they check out. */
export class Hold extends Model<InferAttributes<Hold>, InferCreationAttributes<Hold>> {
  declare id: CreationOptional<number>;
  declare eventId: number;
  declare seatId: number;
  declare customerId: number;
  declare expiresAt: Date;
}

// Fresh objects per attribute: Sequelize writes into an attribute's definition (its `field`).
const int = () => ({ type: DataTypes.INTEGER, allowNull: false });
const text = () => ({ type: DataTypes.TEXT, allowNull: false });
const at = () => ({ type: DataTypes.DATE, allowNull: false });

/** Open the database: Sequelize with its pool, the models, and the pool gauges on /metrics. */
export function openDb(pgUrl: string): Sequelize {
  const sequelize = new Sequelize(pgUrl, {
    dialect: 'postgres',
    logging: false,
    pool: { max: POOL_MAX, min: 0, idle: 30_000, acquire: 60_000 },
  });
  const options = { sequelize, underscored: true, timestamps: false };
  Venue.init({ id: { ...int(), primaryKey: true }, name: text(), city: text(), capacity: int(), firstSeatId: int() }, { ...options, tableName: 'venues' });
  Seat.init({ id: { ...int(), primaryKey: true }, venueId: int(), section: text(), rowLabel: text(), number: int(), tier: { type: DataTypes.SMALLINT, allowNull: false } }, { ...options, tableName: 'seats' });
  Event.init({
    id: { ...int(), primaryKey: true }, venueId: int(), title: text(), description: text(), city: text(), startsAt: at(), status: text(),
    capacity: int(), sold: int(), held: int(), priceTiers: { type: DataTypes.JSONB, allowNull: false }, updatedAt: at(),
  }, { ...options, tableName: 'events' });
  Customer.init({ id: { ...int(), primaryKey: true }, email: text(), name: text(), createdAt: at() }, { ...options, tableName: 'customers' });
  Order.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true }, customerId: { type: DataTypes.INTEGER }, guestEmail: { type: DataTypes.TEXT },
    eventId: int(), status: text(), ticketCount: int(), totalCents: int(), paymentRef: { type: DataTypes.TEXT }, createdAt: at(),
  }, { ...options, tableName: 'orders' });
  Ticket.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true }, orderId: int(), eventId: int(), seatId: { type: DataTypes.INTEGER },
    code: text(), tier: { type: DataTypes.SMALLINT, allowNull: false }, priceCents: int(), holderName: text(), issuedAt: at(), scannedAt: { type: DataTypes.DATE },
  }, { ...options, tableName: 'tickets' });
  Hold.init({
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true }, eventId: int(), seatId: int(), customerId: int(), expiresAt: at(),
  }, { ...options, tableName: 'holds' });

  Event.belongsTo(Venue, { foreignKey: 'venueId', as: 'venue' });
  Order.belongsTo(Event, { foreignKey: 'eventId', as: 'event' });
  Order.belongsTo(Customer, { foreignKey: 'customerId', as: 'customer' });
  Order.hasMany(Ticket, { foreignKey: 'orderId', as: 'tickets' });
  Ticket.belongsTo(Seat, { foreignKey: 'seatId', as: 'seat' });
  Ticket.belongsTo(Event, { foreignKey: 'eventId', as: 'event' });

  // The pool exists once the connection manager is set up (no replication: one pool).
  watchPool(() => (sequelize.connectionManager as unknown as { pool?: PoolCounts }).pool, POOL_MAX);
  return sequelize;
}

/** The counts sequelize-pool exposes. */
export interface PoolCounts { size: number; available: number; using: number; waiting: number }
