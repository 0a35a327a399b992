/**
 * The Organizer's data, in memory: one separate data space per caller, chosen from the
 * verified principal alone (never from anything else in the request).
 *
 *   user:<user id>        a user's own data: their PATs, user tokens, action tokens, and
 *                         access tokens of apps they consented to (CalendarApp, MyTodos)
 *   sandbox:<sbx_...>     a sandboxed app's silent sign-in: only what that app created
 *                         for that user, never the user's own data (and vice versa)
 *   service:<account id>  a service account's SATs
 *   client:<client id>    a machine-to-machine client (client_credentials): its own space
 *
 * The kind prefix keeps the namespaces apart: a client whose id happened to equal a user
 * id would still never see that user's data.
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '@tessera/resource-server';

export type SpaceKind = 'user' | 'sandbox' | 'service' | 'client';

export interface DataSpaceKey {
  kind: SpaceKind;
  /** `<kind>:<subject>`, the key of the space. */
  key: string;
}

/** Which data space a verified principal works in. */
export function dataSpaceOf(principal: Principal): DataSpaceKey {
  const space = (kind: SpaceKind, id: string): DataSpaceKey => ({ kind, key: `${kind}:${id}` });
  // Sandbox first: a sandbox token names its sandbox subject as its "user", and must
  // never be mistaken for the user. The `sbx_` prefix is a second, independent signal.
  if (principal.sandbox || principal.subject.startsWith('sbx_')) return space('sandbox', principal.subject);
  if (principal.user) return space('user', principal.user.id);
  if (principal.serviceAccount !== undefined) return space('service', principal.subject);
  return space('client', principal.subject);
}

export interface Calendar {
  id: string;
  name: string;
  createdAt: string;
}

export interface CalendarEvent {
  id: string;
  calendarId: string;
  title: string;
  start: string;
  end?: string;
  attendees: string[];
  createdAt: string;
}

export interface Contact {
  id: string;
  name: string;
  email?: string;
  createdAt: string;
}

export interface Task {
  id: string;
  title: string;
  done: boolean;
  due?: string;
  createdAt: string;
  updatedAt: string;
}

export class LimitReached extends Error {}

/** One caller's calendars, events, contacts and tasks. */
export class DataSpace {
  readonly calendars = new Map<string, Calendar>();
  readonly events = new Map<string, CalendarEvent[]>();
  readonly contacts = new Map<string, Contact>();
  readonly tasks = new Map<string, Task>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  #room(size: number): void {
    if (size >= this.#limit) throw new LimitReached(`at most ${this.#limit} items per collection in this demo`);
  }

  addCalendar(input: { name: string }): Calendar {
    this.#room(this.calendars.size);
    const calendar = { id: newId('cal'), name: input.name, createdAt: now() };
    this.calendars.set(calendar.id, calendar);
    this.events.set(calendar.id, []);
    return calendar;
  }

  /** Removes a calendar and its events; false if there was none. */
  deleteCalendar(id: string): boolean {
    this.events.delete(id);
    return this.calendars.delete(id);
  }

  addEvent(calendarId: string, input: { title: string; start: string; end?: string; attendees: string[] }): CalendarEvent | undefined {
    const events = this.events.get(calendarId);
    if (!events) return undefined;
    this.#room(events.length);
    const event: CalendarEvent = { id: newId('evt'), calendarId, title: input.title, start: input.start, attendees: input.attendees, createdAt: now() };
    if (input.end !== undefined) event.end = input.end;
    events.push(event);
    return event;
  }

  addContact(input: { name: string; email?: string }): Contact {
    this.#room(this.contacts.size);
    const contact: Contact = { id: newId('con'), name: input.name, createdAt: now() };
    if (input.email !== undefined) contact.email = input.email;
    this.contacts.set(contact.id, contact);
    return contact;
  }

  addTask(input: { title: string; due?: string; done?: boolean }): Task {
    this.#room(this.tasks.size);
    const at = now();
    const task: Task = { id: newId('tsk'), title: input.title, done: input.done ?? false, createdAt: at, updatedAt: at };
    if (input.due !== undefined) task.due = input.due;
    this.tasks.set(task.id, task);
    return task;
  }

  updateTask(id: string, change: { title?: string; done?: boolean; due?: string | null }): Task | undefined {
    const task = this.tasks.get(id);
    if (!task) return undefined;
    if (change.title !== undefined) task.title = change.title;
    if (change.done !== undefined) task.done = change.done;
    if (change.due === null) delete task.due;
    else if (change.due !== undefined) task.due = change.due;
    task.updatedAt = now();
    return task;
  }
}

/** Every data space, created on first use. Nothing is persisted: a restart forgets all. */
export class OrganizerData {
  readonly #spaces = new Map<string, DataSpace>();
  readonly #limit: number;

  constructor(options: { limitPerCollection?: number } = {}) {
    this.#limit = options.limitPerCollection ?? 500;
  }

  /** The space of this key, created empty on first use. */
  space(key: string): DataSpace {
    let space = this.#spaces.get(key);
    if (!space) {
      space = new DataSpace(this.#limit);
      this.#spaces.set(key, space);
    }
    return space;
  }

  /** The keys of the spaces that hold anything (for tests and logs). */
  keys(): string[] {
    return [...this.#spaces.keys()];
  }
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

function now(): string {
  return new Date().toISOString();
}
