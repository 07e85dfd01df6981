# ZkActors server image. Stage 1 publishes the server; stage 2 runs it as the non-root user 1654 ("app"), with the
# data and the journal in volumes. The entry point writes zoo.cfg and myid from the official ZooKeeper image's
# variables (ZOO_MY_ID, ZOO_SERVERS, ...): see docker/docker-entrypoint.sh.
#
# The base images are build arguments. The defaults are Microsoft's .NET SDK and ASP.NET runtime images:
#   docker build -t zkactors:latest .
# Without a registry, scripts/docker-image.sh imports a Debian base made by debootstrap, publishes a self-contained
# server on the host into artifacts/docker/publish, and builds this file with
#   --build-arg SDK_IMAGE=<base> --build-arg RUNTIME_IMAGE=<base> --build-arg PUBLISHED=artifacts/docker/publish
# so stage 1 only copies that output. Works with the classic builder and with BuildKit.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
# A directory of the build context holding a finished `dotnet publish` of src/Zk.Host; empty: publish here.
ARG PUBLISHED=
WORKDIR /src
COPY . .
RUN if [ -n "$PUBLISHED" ]; then cp -a "$PUBLISHED" /out; \
    else dotnet publish src/Zk.Host/Zk.Host.csproj -c Release -o /out -nologo; fi \
    && test -f /out/zkactors.dll

FROM ${RUNTIME_IMAGE} AS runtime
ENV ZOO_CONF_DIR=/conf \
    ZOO_DATA_DIR=/data \
    ZOO_DATA_LOG_DIR=/datalog \
    ZOO_TICK_TIME=2000 \
    ZOO_INIT_LIMIT=5 \
    ZOO_SYNC_LIMIT=2 \
    ZOO_AUTOPURGE_PURGEINTERVAL=0 \
    ZOO_AUTOPURGE_SNAPRETAINCOUNT=3 \
    ZOO_MAX_CLIENT_CNXNS=60 \
    ZOO_STANDALONE_ENABLED=true \
    ZOO_ADMINSERVER_ENABLED=true \
    DOTNET_gcServer=0
COPY --from=build /out /opt/zkactors
COPY docker/docker-entrypoint.sh docker/zk-healthcheck.sh docker/zkactors /usr/local/bin/
# Microsoft's .NET images ship the non-root user "app" (uid and gid 1654); a base without it (the Debian one made by
# scripts/docker-image.sh) gets the same user here. It owns only the config and data directories.
RUN if ! getent passwd app > /dev/null; then \
      groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app; \
    fi \
    && mkdir -p "$ZOO_CONF_DIR" "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" \
    && chown 1654:1654 "$ZOO_CONF_DIR" "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" \
    && chmod 0755 /usr/local/bin/docker-entrypoint.sh /usr/local/bin/zk-healthcheck.sh /usr/local/bin/zkactors
# Numeric, so that a runtime that insists on a non-root user (Kubernetes' runAsNonRoot) can check it.
USER 1654:1654
WORKDIR /opt/zkactors
VOLUME ["/data", "/datalog"]
EXPOSE 2181 2888 3888 8080
HEALTHCHECK --interval=5s --timeout=4s --start-period=60s --retries=2 CMD ["zk-healthcheck.sh"]
# The entry point execs the server, so the server is PID 1 and `docker stop`'s SIGTERM reaches it.
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["zkactors", "/conf/zoo.cfg"]
