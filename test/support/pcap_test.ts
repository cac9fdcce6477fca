import assert from "node:assert/strict";
import { readPcap, reassembleTcpStreams, splitKafkaFrames } from "./pcap.ts";

/** One Ethernet + IPv4 + TCP packet from 10.0.0.1:5000 to 10.0.0.2:9092 (or back when `reply`). */
function tcpPacket(sequence: number, payload: number[], options: { syn?: boolean; reply?: boolean } = {}) {
  const tcp = new Uint8Array(20 + payload.length);
  const tcpView = new DataView(tcp.buffer);
  tcpView.setUint16(0, options.reply ? 9092 : 5000);
  tcpView.setUint16(2, options.reply ? 5000 : 9092);
  tcpView.setUint32(4, sequence);
  tcp[12] = 5 << 4;
  tcp[13] = options.syn ? 0x02 : 0x18;
  tcp.set(payload, 20);
  const ip = new Uint8Array(20 + tcp.length);
  const ipView = new DataView(ip.buffer);
  ip[0] = 0x45;
  ipView.setUint16(2, ip.length);
  ip[9] = 6;
  ip.set(options.reply ? [10, 0, 0, 2, 10, 0, 0, 1] : [10, 0, 0, 1, 10, 0, 0, 2], 12);
  ip.set(tcp, 20);
  // Ethernet: two MAC addresses, EtherType IPv4, then padding the capture keeps.
  return [...new Array(12).fill(0), 0x08, 0x00, ...ip, 0, 0];
}

function pcapFile(packets: number[][]): Uint8Array {
  const header = new Uint8Array(24);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, 1, true);
  const records = packets.flatMap((packet) => {
    const record = new DataView(new ArrayBuffer(16));
    record.setUint32(8, packet.length, true);
    record.setUint32(12, packet.length, true);
    return [...new Uint8Array(record.buffer), ...packet];
  });
  return Uint8Array.from([...header, ...records]);
}

Deno.test("the pcap reader orders segments, keeps retransmitted bytes once and splits Kafka frames", () => {
  // Two frames "abc" and "de", sent in three segments that arrive out of order, one twice.
  const stream = [0, 0, 0, 3, 97, 98, 99, 0, 0, 0, 2, 100, 101];
  const base = 0xfffffff0; // sequence numbers wrap around inside the stream
  const file = pcapFile([
    tcpPacket(base - 1, [], { syn: true }),
    tcpPacket(base + 5, stream.slice(5, 9)),
    tcpPacket(base, stream.slice(0, 6)),
    tcpPacket(base + 5, stream.slice(5, 9)),
    tcpPacket((base + 9) >>> 0, stream.slice(9)),
    tcpPacket(7, [0, 0, 0, 1, 42], { reply: true }),
  ]);
  const capture = readPcap(file);
  assert.equal(capture.linkType, 1);
  assert.equal(capture.packets.length, 6);
  const [request, reply] = reassembleTcpStreams(capture);
  assert.deepStrictEqual([...request!.bytes], stream);
  assert.equal(request!.hasGap, false);
  assert.equal(reply!.sourcePort, 9092);
  const { frames, rest } = splitKafkaFrames(request!.bytes);
  assert.deepStrictEqual(frames.map((frame) => [...frame]), [[97, 98, 99], [100, 101]]);
  assert.equal(rest.length, 0);
  assert.deepStrictEqual([...splitKafkaFrames(reply!.bytes).frames[0]!], [42]);
});

Deno.test("the pcap reader stops a stream at a gap and keeps a cut frame apart", () => {
  const file = pcapFile([tcpPacket(100, [0, 0, 0, 9, 1, 2]), tcpPacket(110, [3])]);
  const [stream] = reassembleTcpStreams(readPcap(file));
  assert.equal(stream!.hasGap, true);
  const { frames, rest } = splitKafkaFrames(stream!.bytes);
  assert.equal(frames.length, 0);
  assert.deepStrictEqual([...rest], [0, 0, 0, 9, 1, 2]);
});
