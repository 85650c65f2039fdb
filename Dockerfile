# The image of kuberator's in-cluster daemons (`kuberator spot-handler`, `kuberator discovery-bridge`)
# and of the CLI itself:  docker build -t ghcr.io/kuberator/kuberator:<version> .
# The DaemonSet and Deployment that `kuberator render` writes pass the subcommand as args.

# Build: compile and bundle with the dev dependencies, then keep only the production ones.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the package's `prepare` would build before the sources are copied.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY test ./test
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# Run: the bundle, the fact tables it reads, and the libraries it loads on demand
# (@kubernetes/client-node, the AWS SDK, the ZooKeeper client).
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/kuberator.mjs ./dist/kuberator.mjs
COPY data ./data
RUN ln -s /app/dist/kuberator.mjs /usr/local/bin/kuberator
# A numeric non-root user, so runAsNonRoot can be verified; nothing is written at run time, so the
# root filesystem may be read-only.
USER 65532:65532
ENTRYPOINT ["kuberator"]
CMD ["--help"]
