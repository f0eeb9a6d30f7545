# syntax=docker/dockerfile:1
# One image for every process: `worker` (the default) and `server` (the HTTP process), plus
# `migrate` and `cli …`. Build: docker build -t intercom-sync .

# --- production dependencies (tsx is one: the processes run the TypeScript sources) ----------
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- the workflow bundle, built once here instead of by webpack at every worker start ---------
FROM deps AS bundle
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
RUN node --import tsx src/worker/bundle.ts /app/dist/workflow-bundle.js

# --- runtime ------------------------------------------------------------------------------------
FROM node:20-slim AS runtime
# tini is PID 1: it passes SIGTERM on to node (the Temporal SDK then drains the worker) and
# reaps orphans. Debian's version is whatever the base image's release ships.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    DATA_DIR=/app/.data \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=3000
# Application files stay owned by root (read-only to the process); only DATA_DIR is writable.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint
COPY --from=bundle /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
RUN mkdir -p /app/.data && chown 1000:1000 /app/.data
# uid 1000 is the base image's unprivileged `node` user (numeric, so that runAsNonRoot can check it).
USER 1000:1000
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--", "docker-entrypoint"]
CMD ["worker"]
