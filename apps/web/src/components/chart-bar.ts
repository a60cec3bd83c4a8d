/** ECharts' bar series, registered on the shared core when a chart first needs it. */
import { BarChart } from 'echarts/charts';
import { echarts } from './echarts-setup.js';

echarts.use([BarChart]);
