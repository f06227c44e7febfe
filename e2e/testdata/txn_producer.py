"""A librdkafka transactional producer for the e2e transaction tests.

Usage: txn_producer.py BOOTSTRAP TOPIC PARTITIONS TRANSACTIONS RECORDS

Runs TRANSACTIONS transactions, committing the even ones and aborting the odd ones,
each with RECORDS records per partition valued "<txn>-<partition>-<record>". It then
opens one more transaction with RECORDS records per partition valued
"open-<partition>-<record>", prints "OPEN" and the offset of each partition's first
open record as "<partition> <offset>" lines, then "READY", and commits that
transaction when it reads "commit" from stdin, printing "COMMITTED".
"""
import sys

from confluent_kafka import Producer


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    partitions, transactions, records = (int(a) for a in sys.argv[3:6])
    p = Producer({
        "bootstrap.servers": bootstrap,
        "transactional.id": "librdkafka-" + topic,
        "linger.ms": 5,
    })
    p.init_transactions(30)
    for txn in range(transactions):
        p.begin_transaction()
        for part in range(partitions):
            for r in range(records):
                p.produce(topic, value="%d-%d-%d" % (txn, part, r), partition=part)
        p.flush(30)
        if txn % 2 == 0:
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)

    first = {}

    def delivered(err, msg):
        if err is not None:
            raise SystemExit("delivery failed: %s" % err)
        part = msg.partition()
        first[part] = min(first.get(part, msg.offset()), msg.offset())

    p.begin_transaction()
    for part in range(partitions):
        for r in range(records):
            p.produce(topic, value="open-%d-%d" % (part, r), partition=part, on_delivery=delivered)
    if p.flush(30) != 0:
        raise SystemExit("open transaction's records not delivered")
    print("OPEN")
    for part in sorted(first):
        print(part, first[part])
    print("READY", flush=True)
    if sys.stdin.readline().strip() != "commit":
        raise SystemExit("expected commit on stdin")
    p.commit_transaction(30)
    print("COMMITTED", flush=True)


if __name__ == "__main__":
    main()
