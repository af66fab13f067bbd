#!/bin/sh
# Creates Temporal's databases and brings their schemas to the version of this admin-tools
# image: the job that temporalio/auto-setup used to do inside the server. Safe to run on every
# `docker compose up`: an existing database is kept and only missing versions are applied.
#
# Environment: SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD_FILE (read by
# temporal-sql-tool once exported as SQL_PASSWORD); DATABASES, the persistence database then
# the visibility database; SCHEMA_DIR, e.g. /etc/temporal/schema/postgresql/v12.
set -eu

: "${SQL_PLUGIN:?SQL_PLUGIN is not set}"
: "${SQL_HOST:?SQL_HOST is not set}"
: "${SQL_PORT:?SQL_PORT is not set}"
: "${SQL_USER:?SQL_USER is not set}"
: "${SQL_PASSWORD_FILE:?SQL_PASSWORD_FILE is not set}"
: "${DATABASES:?DATABASES is not set}"
: "${SCHEMA_DIR:?SCHEMA_DIR is not set}"

SQL_PASSWORD=$(cat "$SQL_PASSWORD_FILE")
export SQL_PLUGIN SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD

# The first database holds executions, the second visibility records; each has its schema.
kind=temporal
for database in $DATABASES; do
    # Older tools fail `create` on an existing database (the postgres image makes one named
    # after its user); setup-schema below fails anyway if the database is really missing.
    temporal-sql-tool --db "$database" create || echo "database $database already exists"
    temporal-sql-tool --db "$database" setup-schema -v 0.0
    temporal-sql-tool --db "$database" update-schema -d "$SCHEMA_DIR/$kind/versioned"
    echo "database $database is at the latest $kind schema"
    kind=visibility
done
