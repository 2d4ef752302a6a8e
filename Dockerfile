# drydock: one image for the API server (default) and the workers
# (docker-compose.yml runs `node dist/bin/drydock.js worker` for those).

# ---- build: compile TypeScript to dist/ ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: none is needed to compile, and some would build native
# add-ons of test-only packages.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY db ./db
COPY lib ./lib
COPY server ./server
COPY workers ./workers
RUN npm run build

# ---- runtime: production dependencies and dist/ only ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The data directory (DRYDOCK_DATA_DIR) belongs to the unprivileged `node`
# user of the base image; a named volume mounted here inherits that owner.
RUN install -d -o node -g node -m 0750 /var/lib/drydock
ENV DRYDOCK_DATA_DIR=/var/lib/drydock
USER node
EXPOSE 4000
CMD ["node", "dist/bin/drydock.js", "server"]
