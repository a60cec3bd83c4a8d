/** ECharts' heat map series and the visual map it is read with, registered when first needed. */
import { HeatmapChart } from 'echarts/charts';
import { VisualMapComponent } from 'echarts/components';
import { echarts } from './echarts-setup.js';

echarts.use([HeatmapChart, VisualMapComponent]);
