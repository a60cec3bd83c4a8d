export * from './devices.js';
export { startFarm, planFarm, farmAddress, type Farm, type FarmOptions, type FarmPlanOptions } from './farm.js';
export { digestResponse } from './http-device.js';
export { selfSignedCertificate, type DeviceCertificate } from './tls-cert.js';
