"""
A librdkafka consumer on a rack (client.rack, KIP-392): reads `expect`
messages of one partition from the beginning, without a group, and reports
from which brokers librdkafka fetched them, as its statistics say (each
partition's "broker" is the one it is fetching from, "leader" its leader).

stdin: {"bootstrap", "topic", "partition", "rack", "expect", "timeout_s"}
stdout (last line): {"values": [...], "fetched_from": [broker ids], "leaders": [broker ids]}
"""
import json
import sys
import time

from confluent_kafka import Consumer, TopicPartition

request = json.load(sys.stdin)
fetched_from = set()
leaders = set()


def on_stats(text):
    stats = json.loads(text)
    partition = stats.get("topics", {}).get(request["topic"], {}).get("partitions", {}).get(
        str(request["partition"]), {})
    if partition.get("broker", -1) >= 0:
        fetched_from.add(partition["broker"])
    if partition.get("leader", -1) >= 0:
        leaders.add(partition["leader"])


consumer = Consumer({
    "bootstrap.servers": request["bootstrap"],
    "group.id": "rack-reader",
    "client.rack": request["rack"],
    "enable.auto.commit": False,
    "statistics.interval.ms": 100,
    "stats_cb": on_stats,
    "fetch.wait.max.ms": 100,
})
consumer.assign([TopicPartition(request["topic"], request["partition"], 0)])
values = []
deadline = time.time() + request.get("timeout_s", 30)
while len(values) < request["expect"] and time.time() < deadline:
    message = consumer.poll(0.2)
    if message is None:
        continue
    if message.error():
        print(f"error: {message.error()}", file=sys.stderr)
        continue
    values.append(None if message.value() is None else message.value().decode())
# One more statistics round after the last message, so the fetching broker is seen.
end = time.time() + 0.5
while time.time() < end:
    consumer.poll(0.1)
consumer.close()
print(json.dumps({"values": values, "fetched_from": sorted(fetched_from), "leaders": sorted(leaders)}))
