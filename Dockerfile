# refgw gateway image: Debian 12, the same packages as `make` installs.
FROM debian:12-slim AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      gcc make pkg-config libc6-dev libmicrohttpd-dev libgnutls28-dev libssl-dev libpq-dev \
      libjansson-dev libsodium-dev libqrencode-dev python3 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY gateway ./gateway
COPY schema ./schema
# The console's files are compiled into the binary (scripts/console-assets.py).
COPY console ./console
COPY scripts/console-assets.py ./scripts/
RUN make build/refgw

FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libgnutls30 libssl3 libpq5 libjansson4 libsodium23 libqrencode4 openssl curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin refgw \
    && install -d -o refgw -g refgw -m 0700 /run/refgw
# Owned by root and readable by all (whatever the clone's umask): the user
# refgw reads its code and schema but cannot change them.
COPY --from=build /src/build/refgw /usr/local/bin/refgw
COPY schema /usr/share/refgw/schema
COPY scripts/orgs.sh scripts/demo-orgs.txt scripts/docker-entrypoint.sh /usr/share/refgw/
COPY schema/demo/units.sql /usr/share/refgw/demo-units.sql
COPY schema/demo/partnerships.sql /usr/share/refgw/demo-partnerships.sql
RUN chmod 0755 /usr/local/bin/refgw && chmod -R u=rwX,go=rX /usr/share/refgw
ENV REFGW_SCHEMA_DIR=/usr/share/refgw/schema \
    REFGW_LISTEN_ADDR=0.0.0.0 \
    REFGW_OPS_ADDR=0.0.0.0
USER refgw
EXPOSE 8443 8444 9090
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:9090/readyz || exit 1
ENTRYPOINT ["/bin/sh", "/usr/share/refgw/docker-entrypoint.sh"]
