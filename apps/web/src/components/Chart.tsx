/** One ECharts chart: lazy-loads ECharts, resizes with its box, labelled for screen readers. */
import { useEffect, useRef } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { useI18n } from '../lib/i18n.js';

type Instance = { setOption(o: EChartsCoreOption, notMerge?: boolean): void; resize(): void; dispose(): void };
/** The module registering each series type (bundled as its own chunk). */
const SERIES: Record<string, () => Promise<unknown>> = {
  line: () => import('./chart-line.js'),
  bar: () => import('./chart-bar.js'),
  heatmap: () => import('./chart-heatmap.js'),
  map: () => import('./world-map.js'),
};
const loaded = new Map<string, Promise<unknown>>();
/**
 * Series modules registered so far. ECharts copies the registered layout and visual steps
 * into an instance when it is made, so an instance made before a series type registered
 * never lays that type out (a line chart showed its legend and axes but no line): a chart
 * whose instance is older than the last registration makes a new one.
 */
let registrations = 0;

/** ECharts' core plus the series types `option` uses. */
function loadFor(option: EChartsCoreOption): Promise<typeof import('./echarts-setup.js')> {
  const series = ([] as { type?: string }[]).concat((option.series as { type?: string }[] | undefined) ?? []);
  const types = [...new Set(series.map((s) => s.type).filter((t): t is string => !!t && t in SERIES))];
  for (const t of types) if (!loaded.has(t)) loaded.set(t, SERIES[t]().then(() => { registrations++; }));
  return Promise.all(types.map((t) => loaded.get(t))).then(() => import('./echarts-setup.js'));
}

/** Okabe–Ito colours: distinguishable with colour-vision deficiencies, dark enough on white. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#7a6a00', '#000000'];

/**
 * The page's own font stack. ECharts lays text out by measuring it on a canvas, where
 * `inherit` is no font at all (the canvas falls back to 10px sans-serif): legend labels were
 * placed for narrower text than the SVG then drew, and long Japanese labels ran into the next.
 */
function pageFont(): string {
  return getComputedStyle(document.body).fontFamily || 'sans-serif';
}

export function Chart({ title, option, height = 280, summary }: { title: string; option: EChartsCoreOption; height?: number; summary?: string }) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<Instance | null>(null);
  const madeAt = useRef(-1);

  useEffect(() => {
    // A box of no size (the view is leaving: React removes the DOM before this effect's
    // cleanup runs) has nothing to lay out, and the map series cannot invert a zero scale.
    const observer = new ResizeObserver(([entry]) => {
      if (entry && entry.contentRect.width > 0 && entry.contentRect.height > 0) chart.current?.resize();
    });
    if (box.current) observer.observe(box.current);
    return () => {
      observer.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    let stale = false;
    // The series types this option draws arrive first; a newer option wins over a slower load.
    loadFor(option).then(({ echarts }) => {
      if (stale || !box.current) return;
      if (!chart.current || madeAt.current < registrations) {
        chart.current?.dispose();
        chart.current = echarts.init(box.current, undefined, { renderer: 'svg' }) as unknown as Instance;
        madeAt.current = registrations;
      }
      chart.current.setOption({ color: PALETTE, aria: { enabled: true }, animation: false, textStyle: { fontFamily: pageFont() }, ...option }, true);
    });
    return () => { stale = true; };
  }, [option]);

  return (
    <figure className="chart">
      <div ref={box} style={{ height }} role="img" aria-label={t('common.chart', { title }) + (summary ? ` — ${summary}` : '')} />
      <figcaption className="visually-hidden">{title}</figcaption>
    </figure>
  );
}
