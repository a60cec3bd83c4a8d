/**
 * ECharts' core with what every chart shares (SVG renderer, grid, axes' tooltip, legend,
 * aria), registered once. Chart types come in their own small modules (chart-*.ts,
 * world-map.ts), loaded by <Chart> for the series types an option uses, so the first page
 * paints before ECharts arrives and a view pays only for the charts it draws.
 */
import * as echarts from 'echarts/core';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([AriaComponent, DatasetComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export { echarts };
