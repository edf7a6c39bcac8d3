# syntax=docker/dockerfile:1
# One image for every service (postgres aside): migrate, auth, mcp and the admin CLI differ only in
# their command (docker-compose.yml). The two servers run their bundles (`pnpm build`, scripts/
# bundle.ts) on plain node: no transpiler in a serving process. The one-shot CLIs (migrate, admin)
# run their TypeScript through tsx, as in development.

# Node 22 LTS: oidc-provider 9 supports only LTS releases >= 22.
ARG NODE_IMAGE=node:22-bookworm-slim

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

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and only readable by the app user: the process cannot rewrite its own code.
COPY --from=build /app /app
USER node
# Nothing is downloaded at run time: dependencies, the Prisma client and the migrations are all in
# the image, and DATABASE_URL points at the postgres service (the embedded Postgres is never used).
EXPOSE 4000 3000
CMD ["node", "apps/auth/dist/server.mjs"]
