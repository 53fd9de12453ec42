// The person a request acts for (a signed-in user in the OAuth mode): their id only, carried through the async calls it makes.
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The acting person, as frozen as it is small: an id and nothing else, so that no token can ride along into whatever
 * reads the context (logs, caches, errors). Credentials are looked up by this id where they are used.
 */
export interface Person {
  readonly id: string;
}

/**
 * The person of the request being served; none outside a request and in the single-credential modes. Not exported:
 * `asPerson` is the one way in, so the frame is always a frozen `{ id }`.
 */
const personContext = new AsyncLocalStorage<Person>();

/**
 * What a person id may be: it becomes part of store keys (`personKeyScope`), so no `:` that could make one person's
 * keys another's prefix, and bounded in length. Provider user ids (digits) fit easily.
 */
const PERSON_ID = /^[A-Za-z0-9._-]{1,128}$/;

function checkedId(id: string): string {
  if (!PERSON_ID.test(id)) throw new Error(`internal: a person id is 1 to 128 letters, digits, '.', '_' or '-'; got ${JSON.stringify(id.slice(0, 40))}`);
  return id;
}

/** Runs `work` as the person `id`: everything it awaits sees them as `currentPerson()`. */
export function asPerson<T>(id: string, work: () => T): T {
  return personContext.run(Object.freeze({ id: checkedId(id) }), work);
}

/** The person the current request acts for, if any. */
export function currentPerson(): Person | undefined {
  return personContext.getStore();
}

/** The prefix of every store or cache key that belongs to the person `id`. */
export function personKeyScope(id: string): string {
  return `p:${checkedId(id)}:`;
}

/**
 * The prefix for keys of what may differ between people (cached account facts, for instance): the current person's
 * scope, or '' without one, so that the single-credential modes keep the keys they always had.
 */
export function personScope(): string {
  const person = currentPerson();
  return person ? personKeyScope(person.id) : '';
}
