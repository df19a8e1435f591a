# syntax=docker/dockerfile:1

# --- build: full dependency tree, TypeScript compiled to dist/, the dashboard to web/dist ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first so the dependency layer is reused while only source changes.
COPY package.json package-lock.json ./
# The sources are not here yet: `prepare` (the build) runs below, once they are.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
COPY clients ./clients
# The build also makes dist/pglite-blank.tar.gz (an embedded database already migrated,
# for a first start on an empty data folder) from the migrations and scripts/blank-image.mjs.
COPY migrations ./migrations
COPY scripts ./scripts
RUN npm run build

# --- runtime: production dependencies, compiled code and migrations only ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` would build, and the compiler is not installed here (dist/ is copied).
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# The dashboard: dist/dashboard/plugin.js serves ../../web/dist, i.e. /app/web/dist.
COPY --from=build /app/web/dist ./web/dist
# Applied at start-up: dist/db/client.js resolves ../../migrations, i.e. /app/migrations,
# then the routines from ../../src/db/routines.
COPY migrations ./migrations
COPY src/db/routines ./src/db/routines
# PGlite keeps its files in DATA_DIR (./data) when no DATABASE_URL is given;
# the unprivileged user must be able to write there.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# The slim image has no curl: Node's own fetch asks the readiness route.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server.js"]
