#!/bin/sh
# Creates onething's topics. Safe to run on every `docker compose up`: existing topics stay.
#
# Environment: BOOTSTRAP_SERVER, PARTITIONS, and TOPICS as a space-separated list.
set -eu

: "${BOOTSTRAP_SERVER:?BOOTSTRAP_SERVER is not set}"
: "${PARTITIONS:?PARTITIONS is not set}"
: "${TOPICS:?TOPICS is not set}"

for topic in $TOPICS; do
    /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVER" \
        --create --if-not-exists --topic "$topic" \
        --partitions "$PARTITIONS" --replication-factor 1
done
/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP_SERVER" --list
