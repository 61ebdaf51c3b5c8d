import { FAULT_TYPES } from '../../scenarios/spec.js';
import { list } from './fields.js';
import { scenarioEntrySchema } from './scenario-schema.js';

/** A list of entries that must all be scenarios (`faults: false`) or all faults (`scenarios:`, `faults:`). */
export const scenarioList = (faults: boolean) =>
  list(scenarioEntrySchema()).superRefine((items, ctx) => {
    items.forEach((item, index) => {
      if (FAULT_TYPES.has(item.type) !== faults) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'type'],
          message: faults
            ? `${item.type} is a scenario, not a fault: list it under scenarios`
            : `${item.type} is a fault, not a scenario: list it under faults`,
          params: { final: true },
        });
      }
    });
  });
