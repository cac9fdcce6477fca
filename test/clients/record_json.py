"""Shared helpers of the Python client scripts: the JSON record form of
test/support/record_json.ts (base64 bytes, null kept distinct from empty)
and the stdin/stdout request loop."""

import base64
import json
import os
import sys
import traceback


def decode(text):
    """Base64 text (or None) to bytes (or None)."""
    return None if text is None else base64.b64decode(text)


def encode(data):
    """Bytes (or None) to base64 text (or None)."""
    return None if data is None else base64.b64encode(bytes(data)).decode("ascii")


def headers_in(headers):
    """JSON headers to a list of (name, bytes-or-None)."""
    return [(name, decode(value)) for name, value in headers or []]


def headers_out(headers):
    """A client's headers (list of (name, bytes)) to JSON headers."""
    return [[name, encode(value)] for name, value in headers or []]


def serve(commands):
    """Reads one JSON request from stdin, runs its command, prints one JSON line.

    An exception becomes {"exception": ...} so that the Deno test shows it."""
    request = json.loads(sys.stdin.read())
    command = commands.get(request.get("command"))
    if command is None:
        print(json.dumps({"exception": "unknown command %r" % request.get("command")}))
        return
    try:
        answer = command(request)
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails with it
        answer = {"exception": "%s: %s" % (type(error).__name__, error), "trace": traceback.format_exc()}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
    # confluent_kafka 1.7 returns null header values as a None it does not own a
    # reference to; the interpreter then aborts while finalizing. The answer is
    # out, so leave without finalizing.
    os._exit(0)
