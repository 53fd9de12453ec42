# Container image of the server: stdio by default; HTTP with --transport http (see the run lines below).
#
# Build:   docker build -t pinterest-api-mcp .
# stdio:   docker run -i --rm -e PINTEREST_ACCESS_TOKEN pinterest-api-mcp
#          (-i keeps stdin open: an MCP client starts this command and speaks JSON-RPC over stdin/stdout)
# demo:    docker run -i --rm pinterest-api-mcp --demo
# HTTP:    docker run -p 3000:3000 -e PINTEREST_ACCESS_TOKEN -e PINTEREST_MCP_HTTP_TOKEN=<a long random secret> \
#            pinterest-api-mcp --transport http --host 0.0.0.0 --port 3000
#          The server binds 127.0.0.1 unless --host says otherwise, and refuses any non-loopback address (0.0.0.0,
#          which a published container port needs) without PINTEREST_MCP_HTTP_TOKEN (or PINTEREST_MCP_HTTP_TOKEN_FILE,
#          e.g. a mounted secret). Clients then send `Authorization: Bearer <that secret>` to http://<host>:3000/mcp.

# --- build: compile and bundle, then keep only the production dependencies ---
# Node 24: its built-in node:sqlite is the --store sqlite:PATH store (Node 20 has none); nothing is compiled at install.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

# --- runtime: the built server, its prompts and production dependencies, run as the unprivileged `node` user ---
FROM node:24-slim
# Two malloc arenas instead of glibc's eight per core: under a long stateless HTTP load the JavaScript heap stays flat,
# but each arena keeps the native memory freed in it, and RSS crept up by half in minutes (bench:soak, README).
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
WORKDIR /app
# Owned by root and only readable by `node`: the server writes nothing under /app.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prompts ./prompts
USER node
EXPOSE 3000
ENTRYPOINT ["node", "/app/dist/index.js"]
