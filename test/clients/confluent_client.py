"""confluent_kafka (librdkafka) driven by one JSON request on stdin.

Commands: create_topics, metadata, produce, consume, offsets_for_times,
watermarks, alter_configs (the legacy AlterConfigs: the given set replaces a
resource's overrides), describe_configs (with synonyms, as librdkafka asks). Consumers use assign() with explicit offsets: a group id is set
because librdkafka wants one, but nothing subscribes or commits."""

import os
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from record_json import decode, encode, headers_in, headers_out, serve


def error_json(error):
    if error is None:
        return None
    return {"code": error.code(), "name": error.name(), "str": error.str()}


def create_topics(request):
    admin = AdminClient({"bootstrap.servers": request["bootstrap"]})
    topics = [
        NewTopic(t["name"], num_partitions=t.get("partitions", 1), replication_factor=1, config=t.get("config", {}))
        for t in request["topics"]
    ]
    results = {}
    for name, future in admin.create_topics(topics, operation_timeout=10, request_timeout=15).items():
        try:
            future.result()
            results[name] = None
        except KafkaException as error:
            results[name] = error_json(error.args[0])
    return {"results": results}


def metadata(request):
    admin = AdminClient({"bootstrap.servers": request["bootstrap"]})
    cluster = admin.list_topics(topic=request.get("topic"), timeout=15)
    topics = {}
    for name, topic in cluster.topics.items():
        topics[name] = {
            "error": error_json(topic.error),
            "partitions": sorted(
                ({"id": p.id, "leader": p.leader, "replicas": list(p.replicas), "isrs": list(p.isrs)}
                 for p in topic.partitions.values()),
                key=lambda p: p["id"],
            ),
        }
    brokers = [{"id": b.id, "host": b.host, "port": b.port} for b in cluster.brokers.values()]
    return {"brokers": brokers, "controller": cluster.controller_id, "topics": topics}


def wait_at_gate(producer, gate):
    """Serves deliveries until the test creates the gate's `open` file, with a bound."""
    deadline = time.time() + gate.get("timeout_s", 30)
    while not os.path.exists(gate["open"]):
        if time.time() > deadline:
            raise TimeoutError("nobody opened the gate before record %d" % gate["before"])
        producer.poll(0.05)


def produce(request):
    """Produces the records and waits for every delivery report.

    An optional gate lets a test act on a stream that is certainly mid-way
    (crash the broker, say), whatever the machine's speed: the producer
    creates the file `ready` once `ready_at` records are acknowledged, and
    waits before record `before` until the file `open` exists."""
    config = {"bootstrap.servers": request["bootstrap"], "linger.ms": 5}
    config.update(request.get("config", {}))
    producer = Producer(config)
    deliveries = [None] * len(request["records"])
    gate = request.get("gate")
    if gate and gate["ready_at"] > gate["before"]:
        raise ValueError("the gate would hold back the records that make it ready")
    acknowledged = [0]

    def delivered(index):
        def callback(error, message):
            deliveries[index] = {
                "error": error_json(error),
                "partition": message.partition(),
                "offset": message.offset() if error is None else None,
                "timestamp": message.timestamp()[1],
            }
            if error is None:
                acknowledged[0] += 1
                if gate and acknowledged[0] == gate["ready_at"]:
                    open(gate["ready"], "w").close()
        return callback

    for index, record in enumerate(request["records"]):
        if gate and index == gate["before"]:
            wait_at_gate(producer, gate)
        arguments = {"value": decode(record["value"]), "key": decode(record["key"]), "on_delivery": delivered(index)}
        if record.get("headers"):
            arguments["headers"] = headers_in(record["headers"])
        if record.get("timestamp") is not None:
            arguments["timestamp"] = record["timestamp"]
        partition = record.get("partition", request.get("partition"))
        if partition is not None:
            arguments["partition"] = partition
        try:
            producer.produce(request["topic"], **arguments)
        except KafkaException as error:
            deliveries[index] = {"error": dict(error_json(error.args[0]), local=True), "partition": None,
                                 "offset": None}
        except BufferError:
            producer.flush(30)
            producer.produce(request["topic"], **arguments)
        producer.poll(0)
    remaining = producer.flush(request.get("timeout_s", 30))
    return {"deliveries": deliveries, "undelivered": remaining}


def new_consumer(request):
    config = {
        "bootstrap.servers": request["bootstrap"],
        "group.id": "dafka-interop-assign-only",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "error",
    }
    config.update(request.get("config", {}))
    return Consumer(config)


def consume(request):
    """Reads from `offset` (default: beginning) on the given partitions until
    every one of them reports end of partition, or `count` records arrive."""
    consumer = new_consumer(request)
    partitions = request.get("partitions", [request.get("partition", 0)])
    start = request.get("offset", -2)  # -2: OFFSET_BEGINNING
    consumer.assign([TopicPartition(request["topic"], p, start) for p in partitions])
    records, errors, at_end = [], [], set()
    deadline = time.time() + request.get("timeout_s", 30)
    limit = request.get("count")
    while time.time() < deadline and len(at_end) < len(partitions):
        if limit is not None and len(records) >= limit:
            break
        message = consumer.poll(0.2)
        if message is None:
            continue
        if message.error():
            if message.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(message.partition())
            else:
                errors.append(error_json(message.error()))
                if len(errors) > 20:
                    break
            continue
        at_end.discard(message.partition())
        records.append({
            "partition": message.partition(),
            "offset": message.offset(),
            "timestamp": message.timestamp()[1],
            "timestamp_type": message.timestamp()[0],
            "key": encode(message.key()),
            "value": encode(message.value()),
            "headers": headers_out(message.headers()),
        })
    consumer.close()
    records.sort(key=lambda r: (r["partition"], r["offset"]))
    return {"records": records, "errors": errors, "complete": len(at_end) == len(partitions)}


def offsets_for_times(request):
    consumer = new_consumer(request)
    answers = []
    for timestamp in request["timestamps"]:
        found = consumer.offsets_for_times([TopicPartition(request["topic"], request.get("partition", 0), timestamp)],
                                           timeout=15)
        answers.append({"offset": found[0].offset, "error": error_json(found[0].error)})
    consumer.close()
    return {"offsets": answers}


def watermarks(request):
    consumer = new_consumer(request)
    low, high = consumer.get_watermark_offsets(TopicPartition(request["topic"], request.get("partition", 0)),
                                               timeout=15)
    consumer.close()
    return {"low": low, "high": high}


def config_resource(entry):
    return ConfigResource(entry["type"], entry["name"], set_config=entry.get("set"))


def alter_configs(request):
    """One result per resource: null when done, else the error."""
    admin = AdminClient({"bootstrap.servers": request["bootstrap"]})
    resources = [config_resource(entry) for entry in request["resources"]]
    results = []
    futures = admin.alter_configs(resources, validate_only=request.get("validate_only", False), request_timeout=15)
    for resource in resources:
        try:
            futures[resource].result()
            results.append(None)
        except KafkaException as error:
            results.append(error_json(error.args[0]))
    return {"results": results}


def describe_configs(request):
    """Per resource, every entry with its source and synonyms (or the error)."""
    admin = AdminClient({"bootstrap.servers": request["bootstrap"]})
    resources = [config_resource(entry) for entry in request["resources"]]
    futures = admin.describe_configs(resources, request_timeout=15)
    results = []
    for resource in resources:
        try:
            entries = futures[resource].result()
        except KafkaException as error:
            results.append({"error": error_json(error.args[0])})
            continue
        results.append({"configs": {
            name: {
                "value": entry.value,
                "source": entry.source,
                "read_only": entry.is_read_only,
                "sensitive": entry.is_sensitive,
                "synonyms": [[s.name, s.value, s.source] for s in entry.synonyms.values()],
            }
            for name, entry in entries.items()
        }})
    return {"results": results}


serve({
    "create_topics": create_topics,
    "metadata": metadata,
    "produce": produce,
    "consume": consume,
    "offsets_for_times": offsets_for_times,
    "watermarks": watermarks,
    "alter_configs": alter_configs,
    "describe_configs": describe_configs,
})
