/**
 * MikroORM entity schemas of the bistro (EntitySchema, no decorators).
 *
 * @module
 */
import { Collection, EntitySchema } from '@mikro-orm/core';

export interface Restaurant {
  id: number;
  name: string;
  city: string;
  cuisine: string;
  opensAt: string;
  closesAt: string;
  deliveryRadiusKm: string;
  createdAt: Date;
  menuItems: Collection<MenuItem>;
}

export interface MenuItem {
  id: number;
  restaurant: Restaurant;
  menuNumber: number;
  section: string;
  name: string;
  description: string;
  priceCents: number;
  available: boolean;
  allergens: string;
  modifiers: Collection<Modifier>;
}

export interface Modifier {
  id: number;
  menuItem: MenuItem;
  name: string;
  priceCents: number;
}

export interface DiningTable {
  id: number;
  restaurant: Restaurant;
  number: number;
  seats: number;
  area: string;
}

export interface Customer {
  id: number;
  email: string;
  fullName: string;
  phone: string;
  loyaltyPoints: number;
  tier: string;
  marketingOptIn: boolean;
  createdAt: Date;
}

export interface Order {
  id: number;
  restaurant: Restaurant;
  customer: Customer;
  kind: string;
  status: string;
  tableNumber?: number | null;
  deliveryAddress?: string | null;
  deliveryFeeCents: number;
  totalCents: number;
  createdAt: Date;
  paidAt?: Date | null;
  lines: Collection<OrderLine>;
}

export interface OrderLine {
  id: number;
  order: Order;
  menuItem: MenuItem;
  qty: number;
  unitPriceCents: number;
  note?: string | null;
}

export interface Reservation {
  id: number;
  restaurant: Restaurant;
  table: DiningTable;
  customer: Customer;
  partySize: number;
  startsAt: Date;
  endsAt: Date;
  status: string;
  note?: string | null;
  createdAt: Date;
}

export interface Review {
  id: number;
  restaurant: Restaurant;
  customer: Customer;
  rating: number;
  body: string;
  createdAt: Date;
}

export interface Payment {
  id: number;
  order: Order;
  customer: Customer;
  amountCents: number;
  points: number;
  authorizationCode: string;
  invoiceNo?: string | null;
  createdAt: Date;
}

export const RestaurantSchema = new EntitySchema<Restaurant>({
  name: 'Restaurant',
  tableName: 'restaurants',
  properties: {
    id: { type: 'number', primary: true },
    name: { type: 'string' },
    city: { type: 'string' },
    cuisine: { type: 'string' },
    opensAt: { type: 'string', columnType: 'time' },
    closesAt: { type: 'string', columnType: 'time' },
    deliveryRadiusKm: { type: 'string', columnType: 'numeric(4,1)' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    menuItems: { kind: '1:m', entity: 'MenuItem', mappedBy: 'restaurant' },
  },
});

export const MenuItemSchema = new EntitySchema<MenuItem>({
  name: 'MenuItem',
  tableName: 'menu_items',
  properties: {
    id: { type: 'number', primary: true },
    restaurant: { kind: 'm:1', entity: 'Restaurant' },
    menuNumber: { type: 'number' },
    section: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    priceCents: { type: 'number' },
    available: { type: 'boolean' },
    allergens: { type: 'string' },
    modifiers: { kind: '1:m', entity: 'Modifier', mappedBy: 'menuItem' },
  },
});

export const ModifierSchema = new EntitySchema<Modifier>({
  name: 'Modifier',
  tableName: 'modifiers',
  properties: {
    id: { type: 'number', primary: true },
    menuItem: { kind: 'm:1', entity: 'MenuItem' },
    name: { type: 'string' },
    priceCents: { type: 'number' },
  },
});

export const DiningTableSchema = new EntitySchema<DiningTable>({
  name: 'DiningTable',
  tableName: 'dining_tables',
  properties: {
    id: { type: 'number', primary: true },
    restaurant: { kind: 'm:1', entity: 'Restaurant' },
    number: { type: 'number' },
    seats: { type: 'number' },
    area: { type: 'string' },
  },
});

export const CustomerSchema = new EntitySchema<Customer>({
  name: 'Customer',
  tableName: 'customers',
  properties: {
    id: { type: 'number', primary: true },
    email: { type: 'string' },
    fullName: { type: 'string' },
    phone: { type: 'string' },
    loyaltyPoints: { type: 'number' },
    tier: { type: 'string' },
    marketingOptIn: { type: 'boolean' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
});

export const OrderSchema = new EntitySchema<Order>({
  name: 'Order',
  tableName: 'orders',
  properties: {
    id: { type: 'number', primary: true },
    restaurant: { kind: 'm:1', entity: 'Restaurant' },
    customer: { kind: 'm:1', entity: 'Customer' },
    kind: { type: 'string' },
    status: { type: 'string' },
    tableNumber: { type: 'number', nullable: true },
    deliveryAddress: { type: 'string', nullable: true },
    deliveryFeeCents: { type: 'number' },
    totalCents: { type: 'number' },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
    paidAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    lines: { kind: '1:m', entity: 'OrderLine', mappedBy: 'order' },
  },
});

export const OrderLineSchema = new EntitySchema<OrderLine>({
  name: 'OrderLine',
  tableName: 'order_lines',
  properties: {
    id: { type: 'number', primary: true },
    order: { kind: 'm:1', entity: 'Order' },
    menuItem: { kind: 'm:1', entity: 'MenuItem' },
    qty: { type: 'number' },
    unitPriceCents: { type: 'number' },
    note: { type: 'string', nullable: true },
  },
});

export const ReservationSchema = new EntitySchema<Reservation>({
  name: 'Reservation',
  tableName: 'reservations',
  properties: {
    id: { type: 'number', primary: true },
    restaurant: { kind: 'm:1', entity: 'Restaurant' },
    table: { kind: 'm:1', entity: 'DiningTable' },
    customer: { kind: 'm:1', entity: 'Customer' },
    partySize: { type: 'number' },
    startsAt: { type: 'Date', columnType: 'timestamptz' },
    endsAt: { type: 'Date', columnType: 'timestamptz' },
    status: { type: 'string' },
    note: { type: 'string', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});

export const ReviewSchema = new EntitySchema<Review>({
  name: 'Review',
  tableName: 'reviews',
  properties: {
    id: { type: 'number', primary: true },
    restaurant: { kind: 'm:1', entity: 'Restaurant' },
    customer: { kind: 'm:1', entity: 'Customer' },
    rating: { type: 'number' },
    body: { type: 'string' },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});

export const PaymentSchema = new EntitySchema<Payment>({
  name: 'Payment',
  tableName: 'payments',
  properties: {
    id: { type: 'number', primary: true },
    order: { kind: 'm:1', entity: 'Order' },
    customer: { kind: 'm:1', entity: 'Customer' },
    amountCents: { type: 'number' },
    points: { type: 'number' },
    authorizationCode: { type: 'string' },
    invoiceNo: { type: 'string', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', onCreate: () => new Date() },
  },
});

export const ENTITIES = [RestaurantSchema, MenuItemSchema, ModifierSchema, DiningTableSchema, CustomerSchema, OrderSchema, OrderLineSchema, ReservationSchema, ReviewSchema, PaymentSchema];
