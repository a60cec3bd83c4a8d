export { generateCyclonedxJson, generateOsvRecords, seededRandom, packageName, randomVersion, type GeneratedSbomOptions, type GeneratedOsvOptions } from './generate.js';
