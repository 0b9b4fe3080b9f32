#!/bin/sh
# Run once by the postgres image on an empty volume (as the user postgres):
# the two refgw roles and their database.  Their passwords come from the
# Compose secrets, never from the environment.  (Executable: the image runs
# it; a non-executable *.sh would be sourced into its own entrypoint.)
set -e
app=$(cat /run/secrets/refgw_app_password)
owner=$(cat /run/secrets/refgw_owner_password)
psql -X -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
	-v app="$app" -v owner="$owner" <<'SQL'
CREATE ROLE refgw_owner LOGIN PASSWORD :'owner';
CREATE ROLE refgw_app LOGIN PASSWORD :'app';
CREATE DATABASE refgw OWNER refgw_owner;
SQL
