#!/usr/bin/env bash
# Sets up what the test suite needs on a fresh machine that has Node.js and npm:
# npm packages through Deno, and the Debian packages of the real Kafka clients.
# Then it checks that the clients can load what the tests use (a Python import,
# not only a package list), so a missing codec fails here in seconds, by name.
set -euo pipefail
cd "$(dirname "$0")/.."

deno install >/dev/null

# kafka-python's codecs: snappy, lz4 (with xxhash for the old message-format LZ4 framing) and zstandard.
# iproute2: `ip netns` for the network-namespace replication test.
packages=(kcat python3-confluent-kafka python3-kafka python3-snappy python3-lz4 python3-zstandard python3-xxhash iproute2)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "test/setup.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
  else
    echo "test/setup.sh: the tests need these Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

command -v kcat >/dev/null || { echo "test/setup.sh: kcat is not on the PATH" >&2; exit 1; }
# The Python clients run under Debian's interpreter (test/support/python_client.ts), so check that one.
/usr/bin/python3 - <<'PY'
import importlib, sys
modules = ["confluent_kafka", "kafka", "snappy", "lz4.frame", "zstandard", "xxhash"]
failed = []
for name in modules:
    try:
        importlib.import_module(name)
    except Exception as error:  # an ImportError, or a module that fails while loading
        failed.append(f"{name} ({error})")
from kafka import codec
for codec_name in ["snappy", "lz4", "zstd"]:
    if not getattr(codec, f"has_{codec_name}")():
        failed.append(f"kafka-python codec {codec_name}")
if failed:
    print("test/setup.sh: /usr/bin/python3 cannot load: " + ", ".join(failed), file=sys.stderr)
    sys.exit(1)
PY
