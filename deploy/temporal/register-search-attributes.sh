#!/bin/sh
# Creates onething's namespace if missing and registers its custom search attributes there.
# Safe to run on every `docker compose up`: an existing namespace, and an attribute already
# registered with the same type, are left alone.
#
# Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, NAMESPACE_RETENTION (e.g. 720h), and
# SEARCH_ATTRIBUTES as space-separated NAME=TYPE pairs, e.g. "Bundle=Keyword WaitingOn=KeywordList".
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is not set}"
: "${TEMPORAL_NAMESPACE:?TEMPORAL_NAMESPACE is not set}"
: "${NAMESPACE_RETENTION:?NAMESPACE_RETENTION is not set}"
: "${SEARCH_ATTRIBUTES:?SEARCH_ATTRIBUTES is not set}"

namespace_exists() {
    temporal operator namespace describe \
        --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1
}

# A new namespace reaches the frontend's cache a little later, so create it until it answers;
# `create` of a namespace that exists fails harmlessly.
tries=0
until namespace_exists; do
    temporal operator namespace create \
        --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" \
        --retention "$NAMESPACE_RETENTION" >/dev/null 2>&1 || true
    tries=$((tries + 1))
    if [ "$tries" -ge 90 ]; then
        echo "namespace $TEMPORAL_NAMESPACE did not appear at $TEMPORAL_ADDRESS" >&2
        exit 1
    fi
    sleep 2
done

registered_type() {
    temporal operator search-attribute list \
        --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" |
        awk -v name="$1" '$1 == name { print $2 }'
}

for pair in $SEARCH_ATTRIBUTES; do
    name=${pair%%=*}
    type=${pair#*=}
    current=$(registered_type "$name")
    if [ -z "$current" ]; then
        # A concurrent registration makes `create` fail although the attribute now exists;
        # the check below decides.
        temporal operator search-attribute create \
            --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" \
            --name "$name" --type "$type" || true
        current=$(registered_type "$name")
    fi
    if [ "$current" != "$type" ]; then
        echo "search attribute $name is ${current:-missing}, expected $type" >&2
        exit 1
    fi
    echo "search attribute $name ($type) registered in $TEMPORAL_NAMESPACE"
done
