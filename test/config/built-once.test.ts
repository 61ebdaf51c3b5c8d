import { describe, expect, it } from 'vitest';
import { builtOnce } from '../../src/config/schema/built-once.js';
import { instanceSchema, metadataOptionsSchema } from '../../src/config/schema/instance-schema.js';
import { scenarioEntrySchema } from '../../src/config/schema/scenario-schema.js';

describe('builtOnce', () => {
  it('builds nothing until asked, then once, and returns the same value every time', () => {
    let builds = 0;
    const schema = builtOnce(() => {
      builds += 1;
      return { built: builds };
    });
    expect(builds).toBe(0);
    const first = schema();
    expect(schema()).toBe(first);
    expect(schema()).toBe(first);
    expect(builds).toBe(1);
    expect(first).toEqual({ built: 1 });
  });

  it('builds again after a build that threw: a failure is not kept', () => {
    let attempts = 0;
    const schema = builtOnce(() => {
      attempts += 1;
      if (attempts === 1) throw new Error('first build fails');
      return attempts;
    });
    expect(() => schema()).toThrow('first build fails');
    expect(schema()).toBe(2);
    expect(schema()).toBe(2);
  });

  it('the configuration schemas are each one object, shared by every caller', () => {
    expect(instanceSchema()).toBe(instanceSchema());
    expect(metadataOptionsSchema()).toBe(metadataOptionsSchema());
    expect(scenarioEntrySchema()).toBe(scenarioEntrySchema());
    // The instance schema nests the very metadata options schema the settings table checks with.
    expect(instanceSchema().shape.metadataOptions.unwrap()).toBe(metadataOptionsSchema());
  });
});
