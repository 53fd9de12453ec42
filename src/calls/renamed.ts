// A call by a tool's former name (its API's renamedTools): it runs the tool, and the answer names the name to use.
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ToolDef } from '../tools/registry.js';
import { type ToolAnswer, isHeld, isQuestion } from './answers.js';

/** The answer of `tool` called as `called`, with a last line naming the current name when `called` is a former one. */
export function answeredAs(called: string, tool: ToolDef, answer: ToolAnswer): ToolAnswer {
  if (called === tool.name || isQuestion(answer)) return answer; // a question's next round answers, and says it then
  const note = `Note: ${called} is deprecated, renamed ${tool.name}; call ${tool.name} (the old name goes in a later release).`;
  const noted = (result: CallToolResult): CallToolResult => ({ ...result, content: [...result.content, { type: 'text', text: note }] });
  return isHeld(answer) ? { ...answer, result: noted(answer.result) } : noted(answer);
}
