# zke service image: the worker and the API (same code, different command). No build step: tsx runs the sources.
FROM node:20-bookworm-slim
WORKDIR /opt/zke
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV ZKE_HOME=/var/lib/zke NODE_ENV=production
USER node
CMD ["node", "--import", "tsx", "worker/main.ts"]
