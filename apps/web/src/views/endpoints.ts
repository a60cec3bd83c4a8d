/**
 * Every API path the dashboard calls, in one place, as the parts' route modules define them
 * (apps/server/src/routes/<part>.ts). A view never invents data: a path missing on this
 * server answers 404 and the view says "not available on this server".
 */
export const HEALTH = { ready: '/readyz', openapi: '/openapi.json' } as const;

export const HUB = {
  prefix: '/api/hub',
  login: '/api/hub/auth/login',
  logout: '/api/hub/auth/logout',
  me: '/api/hub/me',
  reports: '/api/hub/reports',
  report: (id: string) => `/api/hub/reports/${encodeURIComponent(id)}`,
  relay: (id: string) => `/api/hub/reports/${encodeURIComponent(id)}/relay`,
  severity: '/api/hub/severity',
  dashboard: '/api/hub/dashboard',
  taxiiDiscovery: '/taxii2/',
} as const;

export const TELESCOPE = {
  prefix: '/api/telescope',
  summary: '/api/telescope/summary',
  live: '/api/telescope/live',
  timeseries: '/api/telescope/timeseries',
  topPorts: '/api/telescope/top/ports',
  topSources: '/api/telescope/top/sources',
  heatmap: '/api/telescope/heatmap',
  countries: '/api/telescope/countries',
  victims: '/api/telescope/victims',
  alerts: '/api/telescope/alerts',
} as const;

export const SURVEY = {
  prefix: '/api/survey',
  runs: '/api/survey/runs',
  isps: '/api/survey/isps',
  batches: '/api/survey/batches',
  effectiveness: '/api/survey/effectiveness',
} as const;

export const FLOWS = {
  prefix: '/api/flows',
  candidates: '/api/flows/candidates',
  candidate: (address: string) => `/api/flows/candidates/${encodeURIComponent(address)}`,
  summary: '/api/flows/summary',
} as const;

export const DEMO = { status: '/api/demo' } as const;

export const TRUST = {
  prefix: '/api/trust',
  verify: '/api/trust/verify',
  seal: '/api/trust/seal',
  stamp: '/api/trust/stamp',
  tsa: '/tsa',
  tsaCertificates: '/tsa/certificates',
} as const;

export const SUPPLY = {
  prefix: '/api/supply',
  products: '/api/supply/products',
  check: '/api/supply/check',
  summary: '/api/supply/summary',
} as const;

export const SINCE_CHOICES = [
  { value: '1h', label: 'common.last1h' },
  { value: '24h', label: 'common.last24h' },
  { value: '7d', label: 'common.last7d' },
  { value: '30d', label: 'common.last30d' },
] as const;
