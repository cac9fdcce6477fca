"""Starts librdkafka's in-memory mock cluster (one broker) and prints its
bootstrap address; keeps it alive until stdin closes. The benchmark points
kcat at it to measure the ceiling set by the client itself."""
import logging
import re
import sys

import confluent_kafka

found = []


class Capture(logging.Handler):
    def emit(self, record):
        match = re.search(r"replaced with (\S+)", record.getMessage())
        if match:
            found.append(match.group(1))


logger = logging.getLogger("mock")
logger.addHandler(Capture())
logger.setLevel(logging.DEBUG)
producer = confluent_kafka.Producer(
    {"bootstrap.servers": "unused:9092", "test.mock.num.brokers": 1, "logger": logger}
)
while not found:
    producer.poll(0.05)
print(found[0], flush=True)
sys.stdin.read()
