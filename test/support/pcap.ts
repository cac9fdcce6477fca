/**
 * A small reader of libpcap captures for tests: it parses the file's packet
 * records, the Ethernet (or Linux cooked / raw IP) link layer, IPv4 or IPv6,
 * and TCP, reassembles each direction of each TCP connection into one byte
 * stream, and splits a stream into Kafka frames by their 4-byte size prefix.
 *
 * Only what test captures need is handled: no IP fragments, no pcapng.
 */

/** One packet record of a capture. */
export interface PcapPacket {
  timestampSeconds: number;
  /** Sub-second part, in microseconds or nanoseconds depending on the file. */
  timestampFraction: number;
  /** The captured bytes (possibly shorter than the original packet). */
  data: Uint8Array;
  originalLength: number;
}

/** A parsed capture file. */
export interface PcapFile {
  /** The link-layer type: 1 Ethernet, 101 raw IP, 113 Linux cooked, 0 BSD loopback. */
  linkType: number;
  packets: PcapPacket[];
}

/** One TCP segment with its endpoints. */
export interface TcpSegment {
  source: string;
  sourcePort: number;
  destination: string;
  destinationPort: number;
  sequence: number;
  /** TCP flags byte (SYN is 0x02, FIN 0x01, RST 0x04). */
  flags: number;
  payload: Uint8Array;
}

/** The bytes one side of a TCP connection sent, in order. */
export interface TcpStream {
  source: string;
  sourcePort: number;
  destination: string;
  destinationPort: number;
  bytes: Uint8Array;
  /** True when a byte range is missing from the capture (bytes stop before the gap). */
  hasGap: boolean;
}

const LINK_ETHERNET = 1;
const LINK_RAW_IP = 101;
const LINK_LINUX_COOKED = 113;
const LINK_LOOPBACK = 0;
const PROTOCOL_TCP = 6;
/** A cap on packet records, so a corrupt file cannot loop for long. */
const MAX_PACKETS = 1_000_000;

/** Parses a libpcap file (either byte order, micro- or nanosecond timestamps). */
export function readPcap(file: Uint8Array): PcapFile {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 24) throw new Error("pcap file shorter than its global header");
  const magic = view.getUint32(0, false);
  let littleEndian: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) littleEndian = false;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) littleEndian = true;
  else throw new Error(`not a pcap file (magic ${magic.toString(16)})`);
  const linkType = view.getUint32(20, littleEndian) & 0x0fffffff;
  const packets: PcapPacket[] = [];
  let position = 24;
  while (position + 16 <= file.length && packets.length < MAX_PACKETS) {
    const capturedLength = view.getUint32(position + 8, littleEndian);
    const start = position + 16;
    if (start + capturedLength > file.length) throw new Error(`truncated packet record at ${position}`);
    packets.push({
      timestampSeconds: view.getUint32(position, littleEndian),
      timestampFraction: view.getUint32(position + 4, littleEndian),
      data: file.subarray(start, start + capturedLength),
      originalLength: view.getUint32(position + 12, littleEndian),
    });
    position = start + capturedLength;
  }
  return { linkType, packets };
}

/** The IP packet inside a link-layer frame, or null for non-IP frames. */
function ipPayload(frame: Uint8Array, linkType: number): Uint8Array | null {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  switch (linkType) {
    case LINK_ETHERNET: {
      let offset = 12;
      let etherType = frame.length >= 14 ? view.getUint16(offset) : 0;
      // Skip 802.1Q / 802.1ad VLAN tags.
      while ((etherType === 0x8100 || etherType === 0x88a8) && frame.length >= offset + 6) {
        offset += 4;
        etherType = view.getUint16(offset);
      }
      if (etherType !== 0x0800 && etherType !== 0x86dd) return null;
      return frame.subarray(offset + 2);
    }
    case LINK_LINUX_COOKED:
      return frame.length >= 16 ? frame.subarray(16) : null;
    case LINK_LOOPBACK:
      return frame.length >= 4 ? frame.subarray(4) : null;
    case LINK_RAW_IP:
      return frame;
    default:
      throw new Error(`unsupported pcap link type ${linkType}`);
  }
}

function ipv4Text(bytes: Uint8Array): string {
  return Array.from(bytes).join(".");
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) {
    groups.push(((bytes[index]! << 8) | bytes[index + 1]!).toString(16));
  }
  return groups.join(":");
}

/** Parses the TCP segment of one captured packet, or returns null for anything else. */
export function parseTcpSegment(frame: Uint8Array, linkType: number): TcpSegment | null {
  const ip = ipPayload(frame, linkType);
  if (!ip || ip.length < 1) return null;
  const view = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
  const ipVersion = ip[0]! >> 4;
  let source: string;
  let destination: string;
  let tcp: Uint8Array;
  if (ipVersion === 4) {
    if (ip.length < 20 || ip[9] !== PROTOCOL_TCP) return null;
    const headerLength = (ip[0]! & 0x0f) * 4;
    // The IPv4 total length excludes Ethernet padding after the packet.
    const totalLength = Math.min(view.getUint16(2), ip.length);
    source = ipv4Text(ip.subarray(12, 16));
    destination = ipv4Text(ip.subarray(16, 20));
    tcp = ip.subarray(headerLength, totalLength);
  } else if (ipVersion === 6) {
    // Extension headers are not followed: test captures carry TCP directly.
    if (ip.length < 40 || ip[6] !== PROTOCOL_TCP) return null;
    const payloadLength = Math.min(view.getUint16(4), ip.length - 40);
    source = ipv6Text(ip.subarray(8, 24));
    destination = ipv6Text(ip.subarray(24, 40));
    tcp = ip.subarray(40, 40 + payloadLength);
  } else {
    return null;
  }
  if (tcp.length < 20) return null;
  const tcpView = new DataView(tcp.buffer, tcp.byteOffset, tcp.byteLength);
  const dataOffset = (tcp[12]! >> 4) * 4;
  return {
    source,
    sourcePort: tcpView.getUint16(0),
    destination,
    destinationPort: tcpView.getUint16(2),
    sequence: tcpView.getUint32(4),
    flags: tcp[13]!,
    payload: tcp.subarray(dataOffset),
  };
}

function directionKey(segment: TcpSegment): string {
  return `${segment.source}:${segment.sourcePort}>${segment.destination}:${segment.destinationPort}`;
}

/**
 * Reassembles each direction of each connection: segments are ordered by
 * sequence number (relative to the first one seen, so wrap-around is fine),
 * retransmitted or overlapping bytes are kept once, and the stream stops at
 * the first gap. Streams are returned in the order their first packet appears.
 */
export function reassembleTcpStreams(capture: PcapFile): TcpStream[] {
  const byDirection = new Map<string, { first: TcpSegment; base: number; segments: TcpSegment[] }>();
  for (const packet of capture.packets) {
    const segment = parseTcpSegment(packet.data, capture.linkType);
    if (!segment) continue;
    const key = directionKey(segment);
    let entry = byDirection.get(key);
    if (!entry) {
      // A SYN consumes one sequence number before the first data byte.
      const base = (segment.flags & 0x02) !== 0 ? (segment.sequence + 1) >>> 0 : segment.sequence;
      entry = { first: segment, base, segments: [] };
      byDirection.set(key, entry);
    }
    if (segment.payload.length > 0) entry.segments.push(segment);
  }
  const streams: TcpStream[] = [];
  for (const { first, base, segments } of byDirection.values()) {
    const ordered = segments
      .map((segment) => ({ offset: (segment.sequence - base) >>> 0, payload: segment.payload }))
      .sort((left, right) => left.offset - right.offset);
    const pieces: Uint8Array[] = [];
    let length = 0;
    let hasGap = false;
    for (const { offset, payload } of ordered) {
      if (offset > length) {
        hasGap = true;
        break;
      }
      const fresh = payload.subarray(length - offset);
      if (fresh.length === 0) continue;
      pieces.push(fresh);
      length += fresh.length;
    }
    const bytes = new Uint8Array(length);
    let position = 0;
    for (const piece of pieces) {
      bytes.set(piece, position);
      position += piece.length;
    }
    streams.push({
      source: first.source,
      sourcePort: first.sourcePort,
      destination: first.destination,
      destinationPort: first.destinationPort,
      bytes,
      hasGap,
    });
  }
  return streams;
}

/**
 * Splits a stream into Kafka frames (the bytes after each 4-byte size
 * prefix). A last frame cut short by the end of the capture goes to `rest`.
 */
export function splitKafkaFrames(stream: Uint8Array): { frames: Uint8Array[]; rest: Uint8Array } {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const frames: Uint8Array[] = [];
  let position = 0;
  while (position + 4 <= stream.length) {
    const size = view.getInt32(position);
    if (size < 0 || position + 4 + size > stream.length) break;
    frames.push(stream.subarray(position + 4, position + 4 + size));
    position += 4 + size;
  }
  return { frames, rest: stream.subarray(position) };
}
