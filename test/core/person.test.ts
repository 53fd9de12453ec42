// The acting person's context: their id only, through awaits, without leaking between concurrent requests; the key scope it gives.
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { asPerson, currentPerson, personKeyScope, personScope } from '../../src/core/person.js';

describe('the acting person', () => {
  it('is nobody outside a request, and the key scope is then empty (single-credential keys stay as they were)', () => {
    expect(currentPerson()).toBeUndefined();
    expect(personScope()).toBe('');
  });

  it('is the person a request runs as, through every await, and nobody again after it', async () => {
    const seen = await asPerson('549755813888', async () => {
      await tick();
      const inner = await Promise.resolve().then(() => currentPerson());
      return { inner, scope: personScope() };
    });
    expect(seen).toEqual({ inner: { id: '549755813888' }, scope: 'p:549755813888:' });
    expect(currentPerson()).toBeUndefined();
  });

  it('keeps concurrent requests apart: each sees its own person at every step', async () => {
    const people = Array.from({ length: 10 }, (_, i) => `user-${i}`);
    const seen = await Promise.all(
      people.map((id) =>
        asPerson(id, async () => {
          const steps: (string | undefined)[] = [];
          for (let step = 0; step < 5; step++) {
            await tick();
            steps.push(currentPerson()?.id);
          }
          return steps;
        }),
      ),
    );
    expect(seen).toEqual(people.map((id) => Array(5).fill(id)));
  });

  it('carries the id and nothing else: the frame is frozen, so no token can be added to it', () => {
    asPerson('alice', () => {
      const person = currentPerson()!;
      expect(Object.keys(person)).toEqual(['id']);
      expect(Object.isFrozen(person)).toBe(true);
      expect(() => Object.assign(person, { token: 'pina_secret' })).toThrow(TypeError);
    });
  });

  it('refuses an id that could not be a key scope (empty, a colon, a space, too long)', () => {
    for (const id of ['', 'a:b', 'x'.repeat(129), 'with space']) {
      expect(() => asPerson(id, () => 0)).toThrow(/internal: a person id is 1 to 128 letters, digits/);
      expect(() => personKeyScope(id)).toThrow(/internal: a person id/);
    }
    expect(personKeyScope('1234')).toBe('p:1234:');
  });
});
