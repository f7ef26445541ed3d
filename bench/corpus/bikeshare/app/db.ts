/**
 * Sequelize 6 over pg 8: the connection (pool of 6, application_name
 * bikeshare-api) and the models the handlers use.
 *
 * @module
 */
import { DataTypes, Sequelize, type Model, type ModelStatic } from 'sequelize';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Row = Model<any, any> & Record<string, any>;
export type M = ModelStatic<Row>;

export interface Db {
  sequelize: Sequelize;
  Station: M;
  Bike: M;
  Dock: M;
  Rider: M;
  Membership: M;
  Trip: M;
  Pass: M;
  Payment: M;
  Campaign: M;
  Ticket: M;
  Notification: M;
}

export function connect(url: string, poolMax: number): Db {
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    benchmark: false,
    pool: { max: poolMax, min: 0, acquire: 20_000, idle: 30_000, evict: 5_000 },
    dialectOptions: { application_name: 'bikeshare-api', statement_timeout: 15_000 },
    define: { timestamps: false, underscored: true, freezeTableName: true },
  });
  const opts = (tableName: string) => ({ sequelize, tableName, timestamps: false, underscored: true });

  const Station = sequelize.define('Station', {
    id: { type: DataTypes.INTEGER, primaryKey: true },
    name: DataTypes.TEXT,
    district: DataTypes.TEXT,
    address: DataTypes.TEXT,
    lat: DataTypes.DOUBLE,
    lon: DataTypes.DOUBLE,
    capacity: DataTypes.INTEGER,
    status: DataTypes.TEXT,
    openedOn: DataTypes.DATEONLY,
  }, opts('stations')) as M;

  const Bike = sequelize.define('Bike', {
    id: { type: DataTypes.INTEGER, primaryKey: true },
    serial: DataTypes.TEXT,
    kind: DataTypes.TEXT,
    status: DataTypes.TEXT,
    stationId: DataTypes.INTEGER,
    telemetry: DataTypes.JSONB,
    odometerKm: DataTypes.INTEGER,
    commissionedOn: DataTypes.DATEONLY,
    updatedAt: DataTypes.DATE,
  }, opts('bikes')) as M;

  const Dock = sequelize.define('Dock', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    stationId: DataTypes.INTEGER,
    slot: DataTypes.INTEGER,
    bikeId: DataTypes.INTEGER,
    status: DataTypes.TEXT,
  }, opts('docks')) as M;

  const Rider = sequelize.define('Rider', {
    id: { type: DataTypes.INTEGER, primaryKey: true },
    email: DataTypes.TEXT,
    fullName: DataTypes.TEXT,
    phone: DataTypes.TEXT,
    homeDistrict: DataTypes.TEXT,
    locale: DataTypes.TEXT,
    marketingOptIn: DataTypes.BOOLEAN,
    createdAt: DataTypes.DATE,
  }, opts('riders')) as M;

  const Membership = sequelize.define('Membership', {
    id: { type: DataTypes.INTEGER, primaryKey: true },
    riderId: DataTypes.INTEGER,
    plan: DataTypes.TEXT,
    status: DataTypes.TEXT,
    startedAt: DataTypes.DATE,
    renewsAt: DataTypes.DATE,
  }, opts('memberships')) as M;

  const Trip = sequelize.define('Trip', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    riderId: DataTypes.INTEGER,
    bikeId: DataTypes.INTEGER,
    startStationId: DataTypes.INTEGER,
    endStationId: DataTypes.INTEGER,
    startedAt: DataTypes.DATE,
    endedAt: DataTypes.DATE,
    durationS: DataTypes.INTEGER,
    distanceM: DataTypes.INTEGER,
    fareCents: DataTypes.INTEGER,
    status: DataTypes.TEXT,
  }, opts('trips')) as M;

  const Pass = sequelize.define('Pass', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    riderId: DataTypes.INTEGER,
    kind: DataTypes.TEXT,
    priceCents: DataTypes.INTEGER,
    discountCents: DataTypes.INTEGER,
    campaignId: DataTypes.INTEGER,
    purchasedAt: DataTypes.DATE,
    validUntil: DataTypes.DATE,
  }, opts('passes')) as M;

  const Payment = sequelize.define('Payment', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    riderId: DataTypes.INTEGER,
    tripId: DataTypes.BIGINT,
    passId: DataTypes.BIGINT,
    kind: DataTypes.TEXT,
    amountCents: DataTypes.INTEGER,
    currency: DataTypes.TEXT,
    status: DataTypes.TEXT,
    gatewayRef: DataTypes.TEXT,
    cardLast4: DataTypes.TEXT,
    createdAt: DataTypes.DATE,
  }, opts('payments')) as M;

  const Campaign = sequelize.define('Campaign', {
    id: { type: DataTypes.INTEGER, primaryKey: true },
    city: DataTypes.TEXT,
    code: DataTypes.TEXT,
    discountPct: DataTypes.INTEGER,
    redeemed: DataTypes.INTEGER,
    cap: DataTypes.INTEGER,
    active: DataTypes.BOOLEAN,
    updatedAt: DataTypes.DATE,
  }, opts('campaigns')) as M;

  const Ticket = sequelize.define('Ticket', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    bikeId: DataTypes.INTEGER,
    stationId: DataTypes.INTEGER,
    riderId: DataTypes.INTEGER,
    category: DataTypes.TEXT,
    description: DataTypes.TEXT,
    status: DataTypes.TEXT,
    openedAt: DataTypes.DATE,
    closedAt: DataTypes.DATE,
  }, opts('maintenance_tickets')) as M;

  const Notification = sequelize.define('Notification', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    riderId: DataTypes.INTEGER,
    channel: DataTypes.TEXT,
    kind: DataTypes.TEXT,
    variant: DataTypes.INTEGER,
    params: DataTypes.JSONB,
    createdAt: DataTypes.DATE,
    readAt: DataTypes.DATE,
  }, opts('notifications')) as M;

  Trip.belongsTo(Station, { as: 'startStation', foreignKey: 'startStationId', constraints: false });
  Trip.belongsTo(Station, { as: 'endStation', foreignKey: 'endStationId', constraints: false });
  Trip.belongsTo(Bike, { as: 'bike', foreignKey: 'bikeId', constraints: false });
  Bike.belongsTo(Station, { as: 'station', foreignKey: 'stationId', constraints: false });
  Rider.hasOne(Membership, { as: 'membership', foreignKey: 'riderId', constraints: false });

  return { sequelize, Station, Bike, Dock, Rider, Membership, Trip, Pass, Payment, Campaign, Ticket, Notification };
}

/** The sequelize-pool of a non-replicated connection manager (size, available, using, waiting). */
export interface PoolStats { size: number; available: number; using: number; waiting: number; maxSize: number }

export function poolStats(sequelize: Sequelize): PoolStats | undefined {
  const pool = (sequelize.connectionManager as unknown as { pool?: Partial<PoolStats> }).pool;
  if (!pool || typeof pool.size !== 'number') return undefined;
  return { size: pool.size, available: pool.available ?? 0, using: pool.using ?? 0, waiting: pool.waiting ?? 0, maxSize: pool.maxSize ?? 0 };
}
