import assert from "node:assert/strict";
import {
  encodeMetaProperties,
  MetaPropertiesError,
  parseMetaProperties,
  parseProperties,
} from "./meta_properties.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("meta.properties v0 from a ZooKeeper-era broker is read", () => {
  const text =
    "#\n#Sat Jun 03 20:13:09 CST 2023\ncluster.id=d0053poFTbGwSWThjV1DEg\nversion=0\nbroker.id=0\n";
  assert.deepEqual(parseMetaProperties(text), {
    version: 0,
    clusterId: "d0053poFTbGwSWThjV1DEg",
    nodeId: 0,
    directoryId: null,
  });
  assert.deepEqual(parseMetaProperties("version=0\n"), {
    version: 0,
    clusterId: null,
    nodeId: null,
    directoryId: null,
  });
});

Deno.test("meta.properties v1 is written as KRaft writes it and read back", () => {
  const meta = {
    version: 1 as const,
    clusterId: "MkU3OEVBNTcwNTJENDM2Qk",
    nodeId: 3,
    directoryId: "Wu_-1O6mTwGA3nU2WvQZ1g",
  };
  const bytes = encodeMetaProperties(meta, Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.equal(
    decode(bytes),
    "#\n#Tue Jan 02 03:04:05 UTC 2024\nversion=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk\nnode.id=3\ndirectory.id=Wu_-1O6mTwGA3nU2WvQZ1g\n",
  );
  assert.deepEqual(parseMetaProperties(decode(bytes)), meta);
  assert.throws(() => parseMetaProperties("version=1\ncluster.id=x\n"), MetaPropertiesError);
  assert.throws(() => parseMetaProperties("version=1\nnode.id=1\n"), MetaPropertiesError);
  assert.throws(() => parseMetaProperties("version=2\n"), MetaPropertiesError);
});

Deno.test("java properties syntax: separators, escapes, continuations", () => {
  const parsed = parseProperties(
    "! comment\n  a = 1\nb:2\nc 3\nd\\=e=f\\:g\nlong=one \\\n    two\nu=\\u0041\n",
  );
  assert.deepEqual([...parsed], [["a", "1"], ["b", "2"], ["c", "3"], ["d=e", "f:g"], ["long", "one two"], [
    "u",
    "A",
  ]]);
});
