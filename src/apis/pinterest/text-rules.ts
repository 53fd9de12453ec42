// Rules Pinterest's 5.23.0 description states in words (or puts where OpenAPI 3.0 ignores them), checked with the schema of their component.
import type { TextRule } from '../types.js';

export const PINTEREST_TEXT_RULES: readonly TextRule[] = [
  {
    // The schema says it too, as anyOf with `required` beside each `$ref`, which OpenAPI 3.0 ignores: `user_data: {}` passed
    // every schema check and the API answered 422.
    component: 'ConversionEventsUserData',
    kind: 'oneOfSets',
    sets: [['em'], ['hashed_maids'], ['client_ip_address', 'client_user_agent']],
    source: {
      where: 'components.schemas.ConversionEventsUserData.description',
      text: 'Note, It is required at least one of 1) em, 2) hashed_maids or 3) pair client_ip_address + client_user_agent.',
    },
  },
  {
    component: 'ConversionMSOTEvents',
    kind: 'requiredIf',
    field: 'currency',
    present: 'value',
    source: {
      where: 'components.schemas.ConversionMSOTEvents.properties.currency.allOf[1].description',
      text: 'Currency code for the value field, required if <code>value</code> is present.',
    },
  },
  {
    component: 'ConversionMSOTEvents',
    kind: 'requiredIf',
    field: 'value',
    equals: { field: 'event_name', values: ['add_to_cart', 'checkout'] },
    source: {
      where: 'components.schemas.ConversionMSOTEvents.properties.value.description',
      text: "Required if <code>event_name</code> is 'add_to_cart' or 'checkout'.",
    },
  },
  {
    // Said on both fields, and nowhere in the schemas that carry a targeting spec (ad groups' create and update, audience
    // sizing, bid floors, targeting templates): a spec without either was sent, and by this text refused.
    component: 'TargetingSpec',
    kind: 'oneOfSets',
    sets: [['LOCATION'], ['GEO']],
    source: {
      where: 'components.schemas.TargetingSpec.properties.GEO.description',
      text: 'At least one of LOCATION or GEO must be specified.',
    },
  },
];
