// The targeting taxonomy an ad group picks from (interests, behaviors, languages, locations...) and reach estimates.
import { fail } from './errors.js';
import type { Checked, Entity } from './shapes.js';

type Option = Entity & { type: string; name: string };

const detailed = (type: string, id: string, name: string, description: string, size: number): Option => ({
  id,
  type,
  name,
  description,
  audience_size_lower_bound: Math.round(size * 0.9),
  audience_size_upper_bound: Math.round(size * 1.1),
});
const language = (code: string, name: string): Option => ({ type: 'languages', code, name });
const location = (
  location_type: string,
  key: string,
  name: string,
  country_code: string,
  country_name: string,
  region: string | null,
  code: string | null,
): Option => ({ type: 'locations', key, name, code, country_code, country_name, location_type, region });

const TAXONOMY: readonly Option[] = [
  detailed('interests', '6003139266461', 'Movies', 'People interested in movies', 900_000_000),
  detailed('interests', '6003384248805', 'Fitness and wellness', 'People interested in fitness and wellness', 700_000_000),
  detailed('interests', '6003346592981', 'Online shopping', 'People interested in online shopping', 800_000_000),
  detailed('interests', '6003940339466', 'Video games', 'People interested in video games', 650_000_000),
  detailed('interests', '6003397425735', 'Cooking', 'People interested in cooking', 500_000_000),
  detailed('behaviors', '6002714895372', 'Frequent travelers', 'People who travel often', 250_000_000),
  detailed('behaviors', '6071631541183', 'Engaged shoppers', 'People who clicked shop-now buttons recently', 400_000_000),
  detailed('behaviors', '6002714898572', 'Small business owners', 'People who run a small business', 90_000_000),
  detailed('life_events', '6003054185372', 'Recently moved', 'People who moved in the last 6 months', 40_000_000),
  detailed('life_events', '6002714398172', 'Newly engaged (3 months)', 'People engaged in the last 3 months', 12_000_000),
  detailed('industries', '6008888980183', 'Information technology', 'People who work in IT', 60_000_000),
  detailed('industries', '6008888954983', 'Healthcare and medical services', 'People who work in healthcare', 55_000_000),
  detailed('income', '6107813079183', 'Top 10% of ZIP codes (US)', 'People in the top 10% of US ZIP codes by income', 25_000_000),
  detailed('family_statuses', '6023005458383', 'Parents (All)', 'Parents with children of any age', 300_000_000),
  language('en', 'English'),
  language('es', 'Spanish'),
  language('fr', 'French'),
  language('de', 'German'),
  language('ja', 'Japanese'),
  location('country', 'US', 'United States', 'US', 'United States', null, 'US'),
  location('country', 'GB', 'United Kingdom', 'GB', 'United Kingdom', null, 'GB'),
  location('country', 'CA', 'Canada', 'CA', 'Canada', null, 'CA'),
  location('country', 'DE', 'Germany', 'DE', 'Germany', null, 'DE'),
  location('country', 'JP', 'Japan', 'JP', 'Japan', null, 'JP'),
  location('region', '3847', 'California', 'US', 'United States', 'California', 'CA'),
  location('region', '3886', 'Texas', 'US', 'United States', 'Texas', 'TX'),
  location('city', '2421836', 'Austin', 'US', 'United States', 'Texas', null),
  location('city', '2418779', 'San Francisco', 'US', 'United States', 'California', null),
  location('city', '298795', 'London', 'GB', 'United Kingdom', 'England', null),
  location('zip', 'US:94103', '94103', 'US', 'United States', 'California', '94103'),
];

/** Types a blank query browses; interests and locations need a search term. */
const BROWSABLE = new Set(['behaviors', 'life_events', 'industries', 'income', 'family_statuses', 'languages']);

/** People reachable per country, roughly; other countries count 10 million. */
const COUNTRY_POPULATION: Record<string, number> = {
  US: 240_000_000,
  GB: 55_000_000,
  CA: 32_000_000,
  DE: 60_000_000,
  JP: 85_000_000,
  FR: 50_000_000,
  BR: 150_000_000,
  IN: 400_000_000,
};

/** The people an ad group's targeting reaches, roughly: a range in thousands. */
export function estimateReach(body: Checked): Entity {
  const include = body.regions?.include ?? {};
  const exclude = body.regions?.exclude ?? {};
  const countries: string[] = include.countries ?? [];
  const excluded = new Set<string>(exclude.countries ?? []);
  const population = (c: string) => COUNTRY_POPULATION[c.toUpperCase()] ?? 10_000_000;
  const narrower = [...(include.regions ?? []), ...(include.cities ?? []), ...(include.zips ?? []), ...(include.custom_locations ?? [])];
  let people = countries.length
    ? countries.filter((c) => !excluded.has(c)).reduce((sum, c) => sum + population(c), 0)
    : narrower.length
      ? narrower.length * 2_000_000
      : 2_000_000_000;
  const demo = body.demographics ?? {};
  if (!demo.automatic) {
    const min = demo.minimum_age ?? 18;
    const max = demo.maximum_age ?? 65;
    people *= Math.max(1, max - min + 1) / 48;
    if (demo.gender === 'male' || demo.gender === 'female') people *= 0.5;
  }
  const targeting = body.detailed_targeting ?? {};
  const categories = (targeting.interests?.length ?? 0) + (targeting.behaviors?.length ?? 0) + (targeting.demographics?.length ?? 0);
  if (categories) people *= Math.min(0.9, 0.15 * categories);
  if (body.languages?.length) people *= Math.min(1, 0.3 * body.languages.length);
  if (body.devices?.platforms?.length === 1) people *= body.devices.platforms[0] === 'mobile' ? 0.85 : 0.3;
  if (body.audiences?.include?.length) people = Math.min(people, 50_000 * body.audiences.include.length);
  const thousands = (n: number) => Math.max(1000, Math.round(n / 1000) * 1000);
  return { users_lower_bound: thousands(people * 0.85), users_upper_bound: thousands(people * 1.15) };
}

/** The options of the asked types whose name, code or key contains the query (the account is checked by the caller). */
export function targetingOptions(query: Checked): Entity {
  const types: string[] = query.types ?? ['interests', 'behaviors', 'life_events', 'industries', 'income', 'family_statuses', 'languages', 'locations'];
  const text = typeof query.query === 'string' ? query.query.trim().toLowerCase() : '';
  const limit = query.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) fail(400, 'limit must be a whole number from 1 to 1000');
  const data: Entity[] = [];
  for (const type of types) {
    if (!text && !BROWSABLE.has(type)) continue;
    let options = TAXONOMY.filter((o) => o.type === type && (!text || [o.name, o.code, o.key].some((v) => typeof v === 'string' && v.toLowerCase().includes(text))));
    if (type === 'locations') {
      if (query.country) options = options.filter((o) => o.country_code === String(query.country).toUpperCase());
      if (query.location_types) options = options.filter((o) => (query.location_types as string[]).includes(String(o.location_type)));
    }
    data.push(...options.slice(0, limit ?? options.length).map((o) => ({ ...o })));
  }
  return { data };
}
