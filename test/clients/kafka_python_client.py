"""kafka-python driven by one JSON request on stdin.

Commands: produce, consume, offsets_for_times, create_topics, versions,
alter_configs (the legacy AlterConfigs, sent to any broker, as kafka-python
does even for a broker resource).
`api_version` in a request is a list such as [0, 10, 1] or null, which lets
the client ask the broker (ApiVersions) and infer a version."""

import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaError

from record_json import decode, encode, headers_in, headers_out, serve


def api_version_of(request):
    version = request.get("api_version")
    return None if version is None else tuple(version)


# Without an api_version the client probes the broker first, within 2 s by default: too short for a loaded
# machine. The probe ends as soon as the broker answers, so a longer bound costs nothing.
VERSION_PROBE_TIMEOUT_MS = 30000


def error_json(error):
    return {"name": type(error).__name__, "str": str(error),
            "errno": getattr(error, "errno", None)}


def produce(request):
    config = {
        "bootstrap_servers": request["bootstrap"],
        "api_version": api_version_of(request),
        "api_version_auto_timeout_ms": VERSION_PROBE_TIMEOUT_MS,
        "acks": "all",
        "linger_ms": 5,
        "retries": 0,
        "request_timeout_ms": 15000,
    }
    if request.get("compression"):
        config["compression_type"] = request["compression"]
    config.update(request.get("config", {}))
    producer = KafkaProducer(**config)
    pending = []
    for record in request["records"]:
        try:
            future = producer.send(
                request["topic"],
                value=decode(record["value"]),
                key=decode(record["key"]),
                headers=headers_in(record.get("headers")) or None,
                partition=record.get("partition", request.get("partition", 0)),
                timestamp_ms=record.get("timestamp"),
            )
            pending.append(future)
        except KafkaError as error:
            pending.append(error)
    deliveries = []
    for item in pending:
        if isinstance(item, KafkaError):
            deliveries.append({"error": dict(error_json(item), local=True), "offset": None})
            continue
        try:
            metadata = item.get(timeout=30)
            deliveries.append({"error": None, "partition": metadata.partition, "offset": metadata.offset,
                               "timestamp": metadata.timestamp})
        except KafkaError as error:
            deliveries.append({"error": error_json(error), "offset": None})
    version = producer.config["api_version"]
    producer.close(timeout=10)
    return {"deliveries": deliveries, "api_version": list(version)}


def new_consumer(request):
    config = {
        "bootstrap_servers": request["bootstrap"],
        "api_version": api_version_of(request),
        "api_version_auto_timeout_ms": VERSION_PROBE_TIMEOUT_MS,
        "group_id": None,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "request_timeout_ms": 15000,
    }
    config.update(request.get("config", {}))
    return KafkaConsumer(**config)


def consume(request):
    """Reads from `offset` (default: beginning) until `count` records arrive
    or the deadline passes."""
    consumer = new_consumer(request)
    partition = TopicPartition(request["topic"], request.get("partition", 0))
    consumer.assign([partition])
    if request.get("offset") is None:
        consumer.seek_to_beginning(partition)
    else:
        consumer.seek(partition, request["offset"])
    records = []
    deadline = time.time() + request.get("timeout_s", 30)
    while time.time() < deadline and len(records) < request["count"]:
        for messages in consumer.poll(timeout_ms=200).values():
            for message in messages:
                records.append({
                    "partition": message.partition,
                    "offset": message.offset,
                    "timestamp": message.timestamp,
                    "timestamp_type": message.timestamp_type,
                    "key": encode(message.key),
                    "value": encode(message.value),
                    "headers": headers_out(message.headers),
                })
    version = consumer.config["api_version"]
    consumer.close()
    return {"records": records, "api_version": list(version)}


def offsets_for_times(request):
    consumer = new_consumer(request)
    partition = TopicPartition(request["topic"], request.get("partition", 0))
    answers = []
    for timestamp in request["timestamps"]:
        found = consumer.offsets_for_times({partition: timestamp})[partition]
        answers.append(None if found is None else {"offset": found.offset, "timestamp": found.timestamp})
    beginning = consumer.beginning_offsets([partition])[partition]
    end = consumer.end_offsets([partition])[partition]
    consumer.close()
    return {"offsets": answers, "beginning": beginning, "end": end}


def create_topics(request):
    admin = KafkaAdminClient(bootstrap_servers=request["bootstrap"], api_version=api_version_of(request),
                             api_version_auto_timeout_ms=VERSION_PROBE_TIMEOUT_MS, request_timeout_ms=15000)
    try:
        response = admin.create_topics(
            [NewTopic(t["name"], t.get("partitions", 1), 1, topic_configs=t.get("config", {}))
             for t in request["topics"]],
            timeout_ms=10000,
        )
        results = {name: code for name, code, *_ in response.topic_errors}
    except KafkaError as error:
        # kafka-python raises on the first topic error instead of returning the response.
        results = {t["name"]: getattr(error, "errno", -1) for t in request["topics"]}
    admin.close()
    return {"results": results}


def versions(request):
    consumer = new_consumer(request)
    version = consumer.config["api_version"]
    topics = sorted(consumer.topics())
    consumer.close()
    return {"api_version": list(version), "topics": topics}


def alter_configs(request):
    """Per resource, the error code and message the broker answered."""
    admin = KafkaAdminClient(bootstrap_servers=request["bootstrap"], api_version=api_version_of(request))
    resources = [ConfigResource(ConfigResourceType[entry["type"]], entry["name"], configs=entry["set"])
                 for entry in request["resources"]]
    response = admin.alter_configs(resources)
    admin.close()
    answers = response.to_object()["resources"]
    return {"results": [{"code": answer["error_code"], "message": answer["error_message"]} for answer in answers]}


serve({
    "alter_configs": alter_configs,
    "produce": produce,
    "consume": consume,
    "offsets_for_times": offsets_for_times,
    "create_topics": create_topics,
    "versions": versions,
})
