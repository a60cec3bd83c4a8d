/**
 * The world map for the source-country chart, loaded only by the view that draws it: the
 * ECharts map series and Natural Earth's 1:110m countries (world-atlas, public domain),
 * registered on the shared ECharts core. Areas are named by ISO 3166-1 numeric code.
 */
import { MapChart } from 'echarts/charts';
import { VisualMapComponent } from 'echarts/components';
import { feature } from 'topojson-client';
import world from 'world-atlas/countries-110m.json';
import codes from 'i18n-iso-countries/codes.json';
import { echarts } from './echarts-setup.js';

echarts.use([MapChart, VisualMapComponent]);
const countries = feature(world, (world as { objects: { countries: unknown } }).objects.countries);
for (const f of countries.features) f.properties = { ...f.properties, name: f.id ?? String(f.properties.name) };
echarts.registerMap('world', countries as never);

const numericOf = new Map((codes as string[][]).map(([alpha2, , numeric]) => [alpha2, numeric]));

/** The map area of an ISO 3166-1 alpha-2 code (undefined for codes Natural Earth does not draw). */
export function areaOf(alpha2: string): string | undefined {
  return numericOf.get(alpha2);
}
