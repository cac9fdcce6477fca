"""A replicated-topic workload for the failover tests, through librdkafka.

Reads one JSON request on stdin: {"bootstrap", "topic", "count"} for
"produce" (an idempotent acks=all producer sends `count` values "0".."count-1",
printing "progress N" lines as deliveries are acknowledged, so that the test
can kill a node mid-way; prints the acknowledged values and offsets), or
{"bootstrap", "topic", "group", "expect"} for "consume" (a group consumer
reads until it has `expect` records or goes quiet; prints the values with
their partitions and offsets). An optional "config" adds producer settings."""

import json
import sys
import time

from confluent_kafka import Consumer, Producer


def produce(request):
    producer = Producer({
        "bootstrap.servers": request["bootstrap"],
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        "message.timeout.ms": 60000,
        "topic.metadata.refresh.interval.ms": 1000,
        # Optional extra settings, e.g. shorter timeouts for a leader cut off the network.
        **request.get("config", {}),
    })
    acked = []
    failed = []

    def delivered(error, message):
        if error is not None:
            failed.append({"value": message.value().decode(), "error": error.str()})
        else:
            acked.append({"value": message.value().decode(), "partition": message.partition(),
                          "offset": message.offset()})
            if len(acked) % 500 == 0:
                print(f"progress {len(acked)}", flush=True)

    rate = request.get("per_second", 2000)
    start = time.time()
    for index in range(request["count"]):
        while True:
            try:
                producer.produce(request["topic"], str(index).encode(), on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
        ahead = index / rate - (time.time() - start)
        if ahead > 0:
            time.sleep(ahead)
    producer.flush(90)
    return {"acked": acked, "failed": failed}


def consume(request):
    consumer = Consumer({
        "bootstrap.servers": request["bootstrap"],
        "group.id": request["group"],
        "auto.offset.reset": "earliest",
        "enable.auto.commit": True,
        "auto.commit.interval.ms": 200,
        "topic.metadata.refresh.interval.ms": 1000,
    })
    consumer.subscribe([request["topic"]])
    records = []
    deadline = time.time() + request.get("timeout_s", 60)
    quiet_since = time.time()
    while time.time() < deadline and len(records) < request["expect"]:
        message = consumer.poll(0.5)
        if message is None:
            if records and time.time() - quiet_since > 15:
                break
            continue
        if message.error():
            continue
        quiet_since = time.time()
        records.append({"value": message.value().decode(), "partition": message.partition(),
                        "offset": message.offset()})
    consumer.close()
    return {"records": records}


def main():
    request = json.loads(sys.stdin.read())
    answer = produce(request) if request["command"] == "produce" else consume(request)
    print(json.dumps(answer), flush=True)


main()
