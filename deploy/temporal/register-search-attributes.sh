#!/bin/sh
# Registers onething's custom search attributes in one namespace. Safe to run on every
# `docker compose up`: an attribute already registered with the same type is left alone.
#
# Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, and SEARCH_ATTRIBUTES as
# space-separated NAME=TYPE pairs, e.g. "Bundle=Keyword WaitingOn=KeywordList".
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is not set}"
: "${TEMPORAL_NAMESPACE:?TEMPORAL_NAMESPACE is not set}"
: "${SEARCH_ATTRIBUTES:?SEARCH_ATTRIBUTES is not set}"

# auto-setup creates the default namespace in the background once the frontend serves,
# so a healthy frontend does not yet mean the namespace exists.
tries=0
until temporal operator namespace describe \
    --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; do
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
