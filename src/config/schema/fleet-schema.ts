/**
 * The `fleet:` block of a configuration: many instances behind one emulator, each caller seeing
 * its own. Instances are listed (`instances:`) or derived from a template with a count
 * (`template:`), or both (listed ones first). Each one is the top-level `instance:` with its own
 * fields on top, and gets the top-level `scenarios:`/`faults:` plus its own.
 *
 * Called as a function by `config-schema.ts`; the settings fields both use are in `fields.ts`.
 * @see ../../../docs/fleet.md
 */
import * as z from 'zod';
import {
  httpEndpointSchema,
  httpTokensSchema,
  integer,
  ipv4,
  list,
  nonEmpty,
  patterned,
  portSchema,
} from './fields.js';
import { instanceSchema } from './instance-schema.js';
import { scenarioList } from './scenario-list.js';
import { scenarioEntrySchema } from './scenario-schema.js';
import { isAddressOrBlock } from '../../scenarios/faults/peer-address.js';

/** The most instances one fleet may hold (one process; see docs/fleet.md for more). */
export const FLEET_MAX_INSTANCES = 100_000;
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

const listenSchema = () =>
  z.strictObject(
    { host: nonEmpty('an address such as 127.0.1.1'), port: portSchema().optional() },
    { error: 'expected a map with host (and port: the shared port when absent, 0 for a free one)' },
  );

const sourcesSchema = () =>
  list(
    z
      .string({ error: 'expected an address or CIDR block such as 172.18.0.5 or 172.18.0.0/24' })
      .refine(isAddressOrBlock, {
        error: 'expected an address or CIDR block such as 172.18.0.5 or 172.18.0.0/24',
      }),
  );

/** `all`, a list of instance ids, `{ percent }` or `{ count }`. */
export const fleetTargetsSchema = () =>
  z.union(
    [
      z.literal('all'),
      list(patterned(INSTANCE_ID, 'expected an instance id such as i-0410f3c9b2d5e8a71')).min(1, {
        error: 'expected at least one instance id',
      }),
      z.strictObject({ percent: z.number().gt(0).lte(100) }),
      z.strictObject({ count: integer(1, FLEET_MAX_INSTANCES) }),
    ],
    { error: "expected 'all', a list of instance ids, { percent: 10 } or { count: 3 }" },
  );

/** A scenario or fault aimed at part of the fleet. */
export const targetedScenarioSchema = () =>
  z.strictObject(
    { targets: fleetTargetsSchema().optional(), scenario: scenarioEntrySchema() },
    { error: 'expected a map with targets and scenario' },
  );

const memberSchema = () =>
  z.strictObject(
    {
      instance: instanceSchema().optional(),
      httpTokens: httpTokensSchema().optional(),
      httpEndpoint: httpEndpointSchema().optional(),
      sources: sourcesSchema().optional(),
      listen: listenSchema().optional(),
      scenarios: scenarioList(false).optional(),
      faults: scenarioList(true).optional(),
    },
    { error: 'expected a map with instance, sources, listen, httpTokens, scenarios, faults' },
  );

const templateSchema = () =>
  z.strictObject(
    {
      count: integer(
        1,
        FLEET_MAX_INSTANCES,
        `expected a number of instances from 1 to ${FLEET_MAX_INSTANCES}`,
      ),
      instance: instanceSchema().optional(),
      httpTokens: httpTokensSchema().optional(),
      httpEndpoint: httpEndpointSchema().optional(),
      sources: ipv4('the first source address such as 127.0.0.2 (instance n gets it + n)').optional(),
      listen: z
        .strictObject(
          {
            host: ipv4('the first listener address such as 127.0.1.1 (instance n gets it + n)'),
            port: portSchema().optional(),
          },
          { error: 'expected a map with host (the first address) and port' },
        )
        .optional(),
      scenarios: scenarioList(false).optional(),
      faults: scenarioList(true).optional(),
    },
    { error: 'expected a map with count, instance, sources, listen, scenarios, faults' },
  );

/** The whole `fleet:` block. */
export const fleetSchema = () =>
  z.strictObject(
    {
      instances: list(memberSchema()).optional(),
      template: templateSchema().optional(),
      header: patterned(
        /^[A-Za-z0-9-]+$/,
        'expected a header name such as X-Imds-Instance (letters, digits and -)',
      ).optional(),
      unmatched: z
        .union([z.enum(['refuse', 'timeout']), patterned(INSTANCE_ID, '')], {
          error: 'expected refuse (403), timeout (no answer) or the id of the instance that answers them',
        })
        .optional(),
      scenarios: list(targetedScenarioSchema()).optional(),
    },
    { error: 'expected a map with instances and/or template, header, unmatched, scenarios' },
  );

/** A checked `fleet:` block. */
export type FleetInput = z.output<ReturnType<typeof fleetSchema>>;
