"""A kafka-python acks='all' producer for the failover tests.

Reads one JSON request on stdin ({"bootstrap", "topic", "count", "partitions",
"per_second"}), sends the values "0".."count-1" round-robin over the
partitions at about `per_second`, prints "progress N" lines as acknowledgements
arrive (so that the test can kill a node mid-way), then one JSON answer: the
acknowledged values with their partitions and offsets, and the failed ones.
kafka-python 2.0.2 has no idempotent producer: a retried batch may be written
twice, but an acknowledged one must never be lost."""

import json
import sys
import threading
import time

from kafka import KafkaProducer


def main():
    request = json.loads(sys.stdin.read())
    producer = KafkaProducer(
        bootstrap_servers=request["bootstrap"],
        api_version_auto_timeout_ms=30000,
        acks="all",
        linger_ms=5,
        retries=20,
        retry_backoff_ms=200,
        max_in_flight_requests_per_connection=1,
        request_timeout_ms=10000,
        metadata_max_age_ms=1000,
    )
    lock = threading.Lock()
    acked = []
    failed = []

    def on_success(value, metadata):
        with lock:
            acked.append({"value": value, "partition": metadata.partition, "offset": metadata.offset})
            if len(acked) % 250 == 0:
                print(f"progress {len(acked)}", flush=True)

    def on_error(value, error):
        with lock:
            failed.append({"value": value, "error": type(error).__name__})

    partitions = request.get("partitions", 1)
    rate = request.get("per_second", 1000)
    start = time.time()
    for index in range(request["count"]):
        value = str(index)
        future = producer.send(request["topic"], value=value.encode(), partition=index % partitions)
        future.add_callback(lambda metadata, value=value: on_success(value, metadata))
        future.add_errback(lambda error, value=value: on_error(value, error))
        ahead = index / rate - (time.time() - start)
        if ahead > 0:
            time.sleep(ahead)
    producer.flush(90)
    producer.close(10)
    print(json.dumps({"acked": acked, "failed": failed}), flush=True)


main()
