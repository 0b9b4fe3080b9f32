-- Run once by the postgres image on an empty volume: the two refgw roles.
-- DEVELOPMENT PASSWORDS: change them (and docker-compose.yml) for any real use.
CREATE ROLE refgw_owner LOGIN PASSWORD 'refgw-owner-dev';
CREATE ROLE refgw_app LOGIN PASSWORD 'refgw-app-dev';
CREATE DATABASE refgw OWNER refgw_owner;
