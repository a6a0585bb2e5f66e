# One image for every MasterTrade service; the command picks the service (see docker-compose.yml), by default all of
# them in one process (apps/main.ts).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# build tools for native addons (tulind) when they are added
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY domain ./domain
COPY application ./application
COPY projections ./projections
COPY infrastructure ./infrastructure
COPY apps ./apps
COPY migrations ./migrations
# The embedded PostgreSQL's data (used only without DATABASE_URL) must be writable by the `node` user.
RUN mkdir -p /app/.data && chown node:node /app/.data
ENV DATA_DIR=/app/.data
VOLUME /app/.data
# A published port reaches the API through the container's own interface, so it listens on all of them here;
# docker-compose.yml publishes it on the host's loopback only. Every route but /health and /openapi.json needs an API
# key (doc/security.md): create the first admin key with `npm run keys -- create --name <your-name> --role admin`.
ENV HOST=0.0.0.0
USER node
EXPOSE 8080
# node itself, not npx/npm: `docker stop` sends SIGTERM to this process, which stops every service in order.
CMD ["node", "--import", "tsx", "apps/main.ts"]
