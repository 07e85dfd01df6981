# syntax=docker/dockerfile:1
# ZkActors server image. Stage 1 builds with the .NET SDK; stage 2 runs on the ASP.NET Core runtime as the
# image's non-root user, with the data and the journal in volumes. The entry point writes zoo.cfg and myid from
# the official ZooKeeper image's variables (ZOO_MY_ID, ZOO_SERVERS, ...): see docker/docker-entrypoint.sh.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/Zk.Host/Zk.Host.csproj -c Release -o /out -nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
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
# "app" is the non-root user every .NET image ships; it owns only the config and data directories.
RUN mkdir -p "$ZOO_CONF_DIR" "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" \
    && chown app:app "$ZOO_CONF_DIR" "$ZOO_DATA_DIR" "$ZOO_DATA_LOG_DIR" \
    && chmod 0755 /usr/local/bin/docker-entrypoint.sh /usr/local/bin/zk-healthcheck.sh /usr/local/bin/zkactors
USER app
WORKDIR /opt/zkactors
VOLUME ["/data", "/datalog"]
EXPOSE 2181 2888 3888 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 CMD ["zk-healthcheck.sh"]
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["zkactors", "/conf/zoo.cfg"]
