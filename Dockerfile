# syntax=docker/dockerfile:1
# The niteputter image: a release build in the Rust image, copied into a distroless runtime that runs as a non-root
# user and checks its own health with `niteputter healthcheck` (no shell, no curl). Build: `docker build -t niteputter .`

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
# The registry and the target folder live in BuildKit caches, so a rebuild after a code change recompiles only the
# workspace's crates, not its dependencies.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p nite-http \
    && cp target/release/niteputter /niteputter \
    && mkdir /data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /niteputter /usr/local/bin/niteputter
# The shop's folder (SQLite file, emails), owned by the runtime user so that the volume is writable.
COPY --from=build --chown=65532:65532 /data /data
WORKDIR /data
ENV NITE_BIND=0.0.0.0:8080 \
    NITE_DATABASE_URL=sqlite:///data/niteputter.db?mode=rwc \
    NITE_EMAIL_DIR=/data/outbox-mail \
    NITE_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/local/bin/niteputter", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/niteputter"]
CMD ["serve"]
