# fdi-worker: API + scheduler + worker (`fdi serve`). Build: docker build -t fdi-worker .
# TypeScript runs through tsx (a runtime dependency), so there is no build step.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force

COPY --chown=node:node . .
USER node

EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "require('node:net').connect(Number(process.env.PORT||8080),'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/fdi.mjs"]
CMD ["serve"]
