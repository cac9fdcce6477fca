"""A consumer group member for the group interop tests, with confluent_kafka
(librdkafka) or kafka-python, configured by one JSON argument.

It subscribes to a topic, prints one JSON line per event on stdout
({"event": "assigned"|"revoked"|"closed", ...}) and per record processed
({"p": partition, "o": offset}), and commits only what it has processed.
SIGTERM makes it close cleanly (commit, then leave the group); SIGKILL is
the crash the tests inflict."""

import json
import os
import signal
import sys

stopping = False


def emit(line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def on_sigterm(_signum, _frame):
    global stopping
    stopping = True


def run_confluent(config):
    from confluent_kafka import Consumer

    settings = {
        "bootstrap.servers": config["bootstrap"],
        "group.id": config["group"],
        "client.id": config.get("client_id", "group-consumer"),
        "session.timeout.ms": config.get("session_timeout_ms", 6000),
        "heartbeat.interval.ms": config.get("heartbeat_interval_ms", 500),
        "auto.offset.reset": "earliest",
        "enable.auto.commit": True,
        "auto.commit.interval.ms": 200,
        # Offsets are stored for commit only once the record is processed (printed).
        "enable.auto.offset.store": False,
        "partition.assignment.strategy": config.get("strategy", "range"),
        "topic.metadata.refresh.interval.ms": 1000,
    }
    if config.get("instance"):
        settings["group.instance.id"] = config["instance"]
    # Any other librdkafka setting a test needs (such as a shorter socket.timeout.ms).
    settings.update(config.get("librdkafka", {}))
    consumer = Consumer(settings)

    def assigned(_consumer, partitions):
        emit({"event": "assigned", "partitions": sorted(p.partition for p in partitions)})

    def revoked(_consumer, partitions):
        emit({"event": "revoked", "partitions": sorted(p.partition for p in partitions)})

    consumer.subscribe([config["topic"]], on_assign=assigned, on_revoke=revoked, on_lost=revoked)
    while not stopping:
        message = consumer.poll(0.1)
        if message is None:
            continue
        if message.error():
            emit({"event": "error", "error": str(message.error())})
            continue
        emit({"p": message.partition(), "o": message.offset()})
        consumer.store_offsets(message)
    consumer.close()
    emit({"event": "closed"})


def run_kafka_python(config):
    from kafka import KafkaConsumer
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor

    assignors = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor}
    consumer = KafkaConsumer(
        bootstrap_servers=config["bootstrap"],
        group_id=config["group"],
        client_id=config.get("client_id", "group-consumer"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=config.get("session_timeout_ms", 6000),
        heartbeat_interval_ms=config.get("heartbeat_interval_ms", 500),
        partition_assignment_strategy=[assignors[config.get("strategy", "range")]],
        metadata_max_age_ms=1000,
        # The version probe's bound (2 s by default) is too short for a loaded machine; it ends at the answer.
        api_version_auto_timeout_ms=30000,
    )

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            # Commit what was processed before the partitions move on.
            if revoked:
                consumer.commit()
            emit({"event": "revoked", "partitions": sorted(tp.partition for tp in revoked)})

        def on_partitions_assigned(self, assigned):
            emit({"event": "assigned", "partitions": sorted(tp.partition for tp in assigned)})

    consumer.subscribe([config["topic"]], listener=Listener())
    while not stopping:
        batches = consumer.poll(timeout_ms=100)
        processed = False
        for records in batches.values():
            for record in records:
                emit({"p": record.partition, "o": record.offset})
                processed = True
        if processed:
            consumer.commit()
    consumer.close(autocommit=True)
    emit({"event": "closed"})


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    config = json.loads(sys.argv[1])
    if config.get("library") == "kafka-python":
        run_kafka_python(config)
    else:
        run_confluent(config)
    # confluent_kafka 1.7 may abort while the interpreter finalizes; everything is out by now.
    os._exit(0)


if __name__ == "__main__":
    main()
