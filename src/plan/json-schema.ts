/**
 * A JSON Schema of the plan format, generated from the same zod schemas that
 * validate plans, so editors (VS Code's YAML extension, JetBrains) can
 * autocomplete and check `plan.yaml` / `plan.json`:
 *
 *     # yaml-language-server: $schema=./tuneup-plan.schema.json
 *
 * @module
 */
import { z } from 'zod';
import { duration, executorSchemas, planSchema } from './schema.js';

/** JSON Schema (draft 2020-12) of a YAML/JSON plan. */
export function planJsonSchema(): Record<string, unknown> {
  const scenario = z.union(Object.values(executorSchemas) as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  const full = planSchema.extend({ scenarios: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), scenario).optional() });
  return z.toJSONSchema(full, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema === duration) {
        // The refinement is code; describe the accepted forms instead.
        Object.assign(ctx.jsonSchema, {
          anyOf: [
            { type: 'string', pattern: '^(0|((\\d+(\\.\\d+)?|\\.\\d+)(ms|us|µs|s|m|h))+)$', examples: ['30s', '1m30s', '500ms'] },
            { type: 'number', minimum: 0, description: 'milliseconds' },
          ],
        });
      }
    },
  }) as Record<string, unknown>;
}
