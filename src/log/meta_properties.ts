/**
 * `meta.properties`, the identity of a log directory, in Java properties
 * format (Kafka's MetaProperties). Version 0 was written by ZooKeeper-mode
 * brokers (`broker.id`, optional `cluster.id`); version 1 by KRaft nodes
 * (`node.id`, `cluster.id`, and since 3.7 `directory.id`). Dafka reads both
 * and writes version 1.
 */
import type { Disk } from "../io/mod.ts";
import { joinPath } from "./file_names.ts";

export const META_PROPERTIES_FILE = "meta.properties";

/** A log directory's identity. */
export interface MetaProperties {
  version: 0 | 1;
  clusterId: string | null;
  /** `node.id` (v1) or `broker.id` (v0); null when a v0 file has none. */
  nodeId: number | null;
  /** Base64url UUID of this directory (KIP-858), or null. */
  directoryId: string | null;
}

/** A meta.properties that Kafka would refuse. */
export class MetaPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MetaPropertiesError";
  }
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escaped: string) => {
    if (escaped.length === 5) return String.fromCharCode(parseInt(escaped.slice(1), 16));
    return { t: "\t", n: "\n", r: "\r", f: "\f" }[escaped] ?? escaped;
  });
}

/** Logical lines of a properties file: comments and blanks dropped, continuations joined. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = "";
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = pending === "" ? raw.trimStart() : pending + raw.trimStart();
    pending = "";
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const trailingBackslashes = /\\*$/.exec(line)![0].length;
    if (trailingBackslashes % 2 === 1) {
      pending = line.slice(0, -1);
      continue;
    }
    lines.push(line);
  }
  if (pending !== "") lines.push(pending);
  return lines;
}

/** Parses Java properties text into a map (the subset of java.util.Properties that matters here). */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const separator = /(?<!\\)(?:\\\\)*[=:\s]/.exec(line);
    if (separator === null) {
      properties.set(unescape(line), "");
      continue;
    }
    const keyEnd = separator.index + separator[0].length - 1;
    const rest = line.slice(keyEnd).replace(/^\s*[=:]?\s*/, "");
    properties.set(unescape(line.slice(0, keyEnd)), unescape(rest));
  }
  return properties;
}

function escape(text: string, isKey: boolean): string {
  let out = "";
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (character === " " && (isKey || index === 0)) out += "\\ ";
    else if ("\\=:#!".includes(character)) out += `\\${character}`;
    else if (character === "\t") out += "\\t";
    else if (character === "\n") out += "\\n";
    else if (character === "\r") out += "\\r";
    else if (character === "\f") out += "\\f";
    else out += character;
  }
  return out;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `nowMs` as java.util.Date.toString() prints it in UTC, for the header comment. */
function javaDateString(nowMs: number): string {
  const date = new Date(nowMs);
  const two = (value: number) => String(value).padStart(2, "0");
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${two(date.getUTCDate())} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${
      two(date.getUTCSeconds())
    } UTC ${date.getUTCFullYear()}`;
}

/** Writes properties as Properties.store does: an empty comment, a date comment, key=value lines. */
export function encodeProperties(properties: ReadonlyMap<string, string>, nowMs: number): Uint8Array {
  let text = `#\n#${javaDateString(nowMs)}\n`;
  for (const [key, value] of properties) text += `${escape(key, true)}=${escape(value, false)}\n`;
  return textEncoder.encode(text);
}

function parseNodeId(value: string, name: string): number {
  if (!/^-?[0-9]+$/.test(value.trim())) {
    throw new MetaPropertiesError(`unable to read ${name} as a number: ${value}`);
  }
  return Number(value.trim());
}

/** Reads v0 or v1 meta.properties text. */
export function parseMetaProperties(text: string): MetaProperties {
  const properties = parseProperties(text);
  const versionText = properties.get("version") ?? "0";
  if (versionText !== "0" && versionText !== "1") {
    throw new MetaPropertiesError(`unknown version ${versionText}`);
  }
  const version = Number(versionText) as 0 | 1;
  const clusterId = properties.get("cluster.id") ?? null;
  const directoryId = properties.get("directory.id") ?? null;
  if (version === 0) {
    const brokerId = properties.get("broker.id");
    return {
      version,
      clusterId,
      nodeId: brokerId === undefined ? null : parseNodeId(brokerId, "broker.id"),
      directoryId,
    };
  }
  const nodeId = properties.get("node.id");
  if (nodeId === undefined) throw new MetaPropertiesError("node.id was not found");
  if (clusterId === null) throw new MetaPropertiesError("cluster.id was not found");
  return { version, clusterId, nodeId: parseNodeId(nodeId, "node.id"), directoryId };
}

/** The file's bytes; version 0 writes `broker.id`, version 1 `node.id`. */
export function encodeMetaProperties(meta: MetaProperties, nowMs: number): Uint8Array {
  const properties = new Map<string, string>();
  properties.set("version", String(meta.version));
  if (meta.clusterId !== null) properties.set("cluster.id", meta.clusterId);
  if (meta.nodeId !== null) properties.set(meta.version === 0 ? "broker.id" : "node.id", String(meta.nodeId));
  if (meta.directoryId !== null) properties.set("directory.id", meta.directoryId);
  return encodeProperties(properties, nowMs);
}

/** The directory's meta.properties, or null when it has none. */
export function readMetaProperties(disk: Disk, logDirectory: string): MetaProperties | null {
  const bytes = disk.readFile(joinPath(logDirectory, META_PROPERTIES_FILE));
  return bytes === null ? null : parseMetaProperties(textDecoder.decode(bytes));
}

/** Writes meta.properties atomically and durably. */
export function writeMetaProperties(
  disk: Disk,
  logDirectory: string,
  meta: MetaProperties,
  nowMs: number,
): void {
  disk.writeFileAtomic(joinPath(logDirectory, META_PROPERTIES_FILE), encodeMetaProperties(meta, nowMs));
}
