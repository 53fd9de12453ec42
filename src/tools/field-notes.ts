// Short notes on fields whose name, type and enum do not say enough, as each API's adapter gives them (`fieldNotes`).
import { type ApiId, apiById } from '../apis/index.js';

/** SchemaBuilder hook: the note an API's adapter gives for a field (`ApiDefinition.fieldNotes`), if any. */
export function fieldNote(api: ApiId) {
  const notes = apiById(api).fieldNotes;
  return (owners: readonly string[], name: string, values?: readonly unknown[]): string | undefined => {
    for (const note of notes) {
      if (note.name !== name || (note.owner !== undefined && !owners.includes(note.owner))) continue;
      const text = typeof note.text === 'string' ? note.text : note.text(values);
      if (text) return text;
    }
    return undefined;
  };
}
