/** A flow as the testbed knows it (ground truth): text addresses, epoch-ms times. */
export interface TestFlow {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  protocol: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  tcpFlags?: number;
  tos?: number;
}
