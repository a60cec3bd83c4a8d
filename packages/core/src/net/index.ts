export { tryParseIpv4, parseIpv4, formatIpv4, ipv4Mask, ipv4Slash24 } from './ipv4.js';
export { tryParseIpv6, parseIpv6, formatIpv6, ipv6FromBytes, ipv6Mask } from './ipv6.js';
export {
  parseIp, formatIp, parsePrefix, formatPrefix, prefixSize, prefixEnd, prefixContains, rangeToPrefixes,
  type IpAddress, type IpFamily, type Prefix,
} from './prefix.js';
export { PrefixTable, PrefixSet, type PrefixEntry } from './prefix-table.js';
