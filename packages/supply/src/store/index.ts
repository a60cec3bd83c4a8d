export { supplyMigrations, type SupplyTables } from './migrations.js';
export {
  putCriteria, getCriteria, listCriteria, addProduct, getProduct, findProduct, listProducts, productHistory, setStatus, attachSbom, matchKey,
  type Criterion, type CriteriaCatalogue, type ListedProduct, type NewProduct, type HistoryEntry, type ListStatus, type ListKind,
} from './list.js';
export { saveSbom, loadSbom, listSboms, type StoredSbomSummary } from './sboms.js';
export { saveVulns, loadIndexFor, countVulns, getVuln, storeKey, type VulnImportResult } from './vulns.js';
