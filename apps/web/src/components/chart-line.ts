/** ECharts' line series, registered on the shared core when a chart first needs it. */
import { LineChart } from 'echarts/charts';
import { echarts } from './echarts-setup.js';

echarts.use([LineChart]);
