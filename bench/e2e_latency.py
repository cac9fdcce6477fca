"""End-to-end latency for the replication bench: a librdkafka producer
(acks=all) sends records at a fixed rate, each carrying its send time; a
consumer on the same topic notes when each arrives. Prints p50/p99 in ms as
JSON. Arguments: bootstrap topic rate seconds."""

import json
import sys
import threading
import time

from confluent_kafka import Consumer, Producer

bootstrap, topic, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
total = int(rate * seconds)
latencies = []
ready = threading.Event()


def consume():
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "e2e-latency", "auto.offset.reset": "latest",
                         "fetch.wait.max.ms": 100, "enable.auto.commit": False})
    consumer.subscribe([topic], on_assign=lambda c, parts: ready.set())
    deadline = time.time() + seconds + 60
    while len(latencies) < total and time.time() < deadline:
        message = consumer.poll(0.1)
        if message is None or message.error():
            continue
        sent = float(message.value().decode().split(" ")[0])
        latencies.append((time.time() - sent) * 1000)
    consumer.close()


reader = threading.Thread(target=consume)
reader.start()
ready.wait(30)
time.sleep(1)
producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 1})
padding = "x" * 70
start = time.time()
for index in range(total):
    due = start + index / rate
    pause = due - time.time()
    if pause > 0:
        time.sleep(pause)
    producer.produce(topic, f"{time.time():.6f} {padding}".encode())
    producer.poll(0)
producer.flush(120)
reader.join()
latencies.sort()


def percentile(fraction):
    return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] if latencies else -1


print(json.dumps({"count": len(latencies), "p50Ms": percentile(0.5), "p99Ms": percentile(0.99)}))
