// The branches every output schema is made of (the answer, a held write's answer, a cut answer), for tools and meta tools.
import { TRUNCATED_ANSWER_SCHEMA } from '../core/results.js';
import { HELD_ANSWER_SCHEMA } from '../guard/answer-schema.js';
import type { JsonSchema } from '../tools/listing.js';

/**
 * The `$defs` names of an output schema's branches, beside the API's components (named in capitals or camel case: a
 * component of one of these names stops the build of the schema).
 */
export const OUTPUT_BRANCHES = { answer: 'answer', held: 'held_answer', truncated: 'truncated_answer' } as const;

/**
 * An output schema of its branches: `answer`, `held_answer` where the call may hold a write (`held`), and
 * `truncated_answer` for every tool (every answer is bounded by --max-result-chars).
 */
export function branchedSchema(description: string, answer: JsonSchema, held: boolean): JsonSchema {
  const { answer: answerName, held: heldName, truncated } = OUTPUT_BRANCHES;
  const ref = (name: string) => ({ $ref: `#/$defs/${name}` });
  return {
    type: 'object',
    description,
    anyOf: [ref(answerName), ...(held ? [ref(heldName)] : []), ref(truncated)],
    $defs: { [answerName]: answer, ...(held ? { [heldName]: HELD_ANSWER_SCHEMA } : {}), [truncated]: TRUNCATED_ANSWER_SCHEMA },
  };
}
