# tend in a container: built on Debian 12, run as its PID 1.
#
#   docker build -t tend:0.1.0 .                     # the image: tend and nothing else
#   docker build -t tend-example --target example .  # + examples/container (two services)
#   docker run --rm -p 8090:8090 tend-example
#
# Stage 1 builds tend from Debian's -dev packages and the dashboard's npm
# packages; stage 2 is debian:12-slim with the runtime libraries only (the
# ones tend links and the ones it loads when first used: libcurl,
# libmicrohttpd, libpcre2 — tests/contrib/dockerfile.sh checks the list
# against the binary). tend runs as the user `tend`, not root: it supervises
# what runs in the container as that user, and needs no privilege for it.

FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
	build-essential cmake pkg-config ca-certificates nodejs npm \
	libuv1-dev libcurl4-openssl-dev libjansson-dev libyaml-dev libsqlite3-dev \
	libmicrohttpd-dev libpcre2-dev \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund --omit=dev
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTEND_TESTS=OFF \
	&& cmake --build build -j"$(nproc)" --target tend \
	&& strip build/tend

FROM debian:12-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends \
	libuv1 libjansson4 libyaml-0-2 libsqlite3-0 libcurl4 libmicrohttpd12 \
	libpcre2-8-0 ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --home-dir /var/lib/tend --shell /usr/sbin/nologin tend \
	&& install -d -o tend -g tend -m 0750 /var/lib/tend \
	&& install -d -m 0755 /etc/tend
COPY --from=build /src/build/tend /usr/bin/tend
COPY examples/container/tend.yaml /etc/tend/tend.yaml
USER tend
# /healthz (liveness) and /readyz (readiness) for the orchestrator; /metrics.
EXPOSE 8090
# The control socket answers while the loop runs: no curl needed in the image.
HEALTHCHECK --interval=30s --timeout=5s CMD ["/usr/bin/tend", "status", "-c", "/etc/tend/tend.yaml"]
# tend init: PID 1's duties (orphans reaped, SIGTERM stops the services in
# order), and exit_when: the container ends with its main service.
ENTRYPOINT ["/usr/bin/tend", "init", "-c", "/etc/tend/tend.yaml", "--state-dir", "/var/lib/tend"]

# The example: two services and their checks (examples/container/tend.yaml),
# with Python's http.server standing in for an application.
FROM runtime AS example
USER root
RUN apt-get update && apt-get install -y --no-install-recommends python3 \
	&& rm -rf /var/lib/apt/lists/* && install -d -o tend -g tend /srv/www
USER tend
