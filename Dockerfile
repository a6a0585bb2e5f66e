# One image for every MasterTrade service; the command picks the service (see docker-compose.yml).
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
USER node
EXPOSE 8080
CMD ["npx", "tsx", "apps/main.ts"]
