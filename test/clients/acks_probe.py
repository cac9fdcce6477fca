"""Produces a few values with librdkafka and a given acks setting, without
retries, and reports each delivery: its offset, or the name of the error the
broker answered (such as NOT_ENOUGH_REPLICAS), as librdkafka names it.

Reads one JSON request on stdin: {"bootstrap", "topic", "partition", "acks",
"values"}; prints {"deliveries": [{"value", "offset"} | {"value", "error"}]}."""

import json
import sys

from confluent_kafka import Producer


def main():
    request = json.loads(sys.stdin.read())
    producer = Producer({
        "bootstrap.servers": request["bootstrap"],
        "acks": request["acks"],
        "enable.idempotence": False,
        # One attempt each: the broker's own answer is the delivery's error.
        "retries": 0,
        "linger.ms": 0,
        "message.timeout.ms": 15000,
        "request.timeout.ms": 10000,
        "topic.metadata.refresh.interval.ms": 1000,
    })
    deliveries = []

    def delivered(error, message):
        entry = {"value": message.value().decode()}
        if error is not None:
            entry["error"] = error.name()
        else:
            entry["offset"] = message.offset()
        deliveries.append(entry)

    for value in request["values"]:
        producer.produce(request["topic"], value.encode(), partition=request.get("partition", 0),
                         on_delivery=delivered)
        # One request per value, in order, so that each gets its own answer.
        producer.flush(20)
    producer.flush(20)
    print(json.dumps({"deliveries": deliveries}), flush=True)


main()
