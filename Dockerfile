# syntax=docker/dockerfile:1.7
# The API image: compiled service + production dependencies only, non-root, read-only-root-fs
# friendly. The same image runs the one-shot migration: `node dist/api/migrate.js`.

# Node 24 LTS, pinned by tag and digest (bump both together, e.g. with Dependabot/Renovate).
FROM node:24.11.1-bookworm-slim@sha256:48abc13a19400ca3985071e287bd405a1d99306770eb81d61202fb6b65cf0b57 AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false

# Compile TypeScript (needs the dev dependencies; none of them leave this stage).
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json knexfile.ts ./
COPY api ./api
COPY migrations ./migrations
RUN npm run build

# Production dependencies only: no cdktf, providers, PGlite or test tooling.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# The RDS CA bundle, so TLS to RDS verifies the server (PGSSLMODE=verify-full with
# PGSSLROOTCERT=/app/certs/rds-global-bundle.pem, as the workloads stack configures it).
FROM base AS rds-ca
ADD https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /certs/rds-global-bundle.pem

FROM base AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    PORT=8000
# Files stay owned by root and read-only to the service user; nothing is written at run time
# (logs go to stdout), so the container runs with readOnlyRootFilesystem: true.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=rds-ca /certs/rds-global-bundle.pem /app/certs/rds-global-bundle.pem
COPY package.json ./
# The image's built-in unprivileged "node" user, by number so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8000
CMD ["node", "dist/api/main.js"]
