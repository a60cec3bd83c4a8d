/** ECharts options built from plain series: pure functions, one per chart kind the views use. */
import type { EChartsCoreOption } from 'echarts/core';

const grid = { left: 56, right: 16, top: 36, bottom: 40, containLabel: true };

export function timeSeriesOption(series: { name: string; points: [number, number][] }[], opts: { stacked?: boolean; area?: boolean; yName?: string } = {}): EChartsCoreOption {
  return {
    grid,
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', top: 0 },
    xAxis: { type: 'time', axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', name: opts.yName },
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      showSymbol: false,
      stack: opts.stacked ? 'total' : undefined,
      areaStyle: opts.area ? {} : undefined,
      data: s.points,
    })),
  };
}

export function barOption(labels: string[], values: number[], opts: { horizontal?: boolean; name?: string } = {}): EChartsCoreOption {
  const cat = { type: 'category', data: labels, axisLabel: { interval: 0 } };
  const val = { type: 'value', name: opts.name };
  return {
    grid,
    tooltip: { trigger: 'axis' },
    xAxis: opts.horizontal ? val : cat,
    yAxis: opts.horizontal ? { ...cat, inverse: true } : val,
    series: [{ type: 'bar', name: opts.name, data: values }],
  };
}

export function heatmapOption(xLabels: string[], yLabels: string[], cells: [number, number, number][]): EChartsCoreOption {
  const max = cells.reduce((m, c) => Math.max(m, c[2]), 0) || 1;
  return {
    grid: { ...grid, bottom: 72 },
    tooltip: { position: 'top' },
    xAxis: { type: 'category', data: xLabels, splitArea: { show: true }, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'category', data: yLabels, splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#f7fbff', '#6baed6', '#08306b'] } },
    series: [{ type: 'heatmap', data: cells, emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1 } } }],
  };
}

/** Histogram of values into `bins` equal-width bins: labels and counts. */
export function histogram(values: number[], bins = 20): { labels: string[]; counts: number[] } {
  if (values.length === 0) return { labels: [], counts: [] };
  const min = Math.min(...values);
  const max = Math.max(...values);
  const width = (max - min) / bins || 1;
  const counts = new Array<number>(max === min ? 1 : bins).fill(0);
  for (const v of values) counts[Math.min(counts.length - 1, Math.floor((v - min) / width))]++;
  const labels = counts.map((_, i) => `${Math.round(min + i * width)}–${Math.round(min + (i + 1) * width)}`);
  return { labels, counts };
}

/** A choropleth over the registered 'world' map; `data` names areas as the map does (see world-map.ts). */
export function worldMapOption(data: { name: string; value: number; label: string }[], opts: { valueName: string }): EChartsCoreOption {
  const max = data.reduce((m, d) => Math.max(m, d.value), 0) || 1;
  const labels = new Map(data.map((d) => [d.name, d.label]));
  return {
    tooltip: { trigger: 'item', formatter: (p: { name: string; value?: number }) => (labels.has(p.name) ? `${labels.get(p.name)}: ${p.value} ${opts.valueName}` : '') },
    visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#deebf7', '#6baed6', '#08306b'] } },
    series: [{ type: 'map', map: 'world', roam: false, name: opts.valueName, data, emphasis: { label: { show: false } }, itemStyle: { areaColor: '#eeeeee', borderColor: '#999999' } }],
  };
}
