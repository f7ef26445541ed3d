# The tuneup image for distributed runs (`tuneup k8s`, docs/k8s.md).
#
#   docker build -t registry.example/tuneup:0.1.0 .
#   docker run --rm registry.example/tuneup:0.1.0 --help
#
# The entrypoint is the tuneup CLI; the generated Jobs pass `k8s-segment PLAN`
# or `k8s-merge` as arguments. Plans are mounted at /app/plan, inside the
# package folder, so a TypeScript plan's `import … from 'tuneup'` resolves
# to this tuneup (tsx, a runtime dependency, loads .ts plans).

# Build stage: the TypeScript compiler is a dev dependency.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# Runtime stage: production dependencies and the compiled CLI only.
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: `prepare` would compile again (done above) and needs dev dependencies.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The results volume is mounted at /results; /app/plan is the plan ConfigMap's mount point.
RUN mkdir -p /app/plan /results && chown node:node /results
# The `node` user of the official image (uid 1000), as the manifests' runAsUser expects.
USER node
ENTRYPOINT ["node", "/app/bin/tuneup.js"]
