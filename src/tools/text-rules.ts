// The checks of an API's text rules (`ApiDefinition.textRules`): each refuses, naming the field and the fix, what the
// description says the API refuses although its schema lets it through.
import type { z } from 'zod';
import type { TextRule } from '../apis/types.js';

const present = (value: Record<string, unknown>, field: string) => value[field] !== undefined && value[field] !== null;

/** The problem `value` (an object of the rule's component) has with `rule`, in one sentence; undefined when none. */
export function textRuleProblem(rule: TextRule, value: Record<string, unknown>): { field?: string; message: string } | undefined {
  if (rule.kind === 'oneOfSets') {
    if (rule.sets.some((set) => set.every((field) => present(value, field)))) return undefined;
    const options = rule.sets.map((set) => set.join(' with ')).join('; or ');
    return { message: `needs at least one of: ${options} (the API refuses it otherwise)` };
  }
  if (present(value, rule.field)) return undefined;
  if (rule.present && present(value, rule.present)) return { field: rule.field, message: `is required when ${rule.present} is given` };
  const when = rule.equals;
  if (when && typeof value[when.field] === 'string' && when.values.includes(value[when.field] as string)) {
    return { field: rule.field, message: `is required when ${when.field} is ${JSON.stringify(value[when.field])}` };
  }
  return undefined;
}

/** `schema` with the checks of the rules that name `component` (unchanged when none does). */
export function withTextRules(rules: readonly TextRule[], component: string, schema: z.ZodType): z.ZodType {
  const own = rules.filter((rule) => rule.component === component);
  if (!own.length) return schema;
  return schema.superRefine((value, ctx) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    for (const rule of own) {
      const problem = textRuleProblem(rule, value as Record<string, unknown>);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.field ? [problem.field] : [], input: value });
    }
  });
}
