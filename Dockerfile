# An image with lwsim on its PATH, for `lwsim capacity k8s-job --image …` (and `lwsim serve` in a cluster).
# lwsim runs from source (tsx), so the image is the checkout and its production dependencies.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY bin ./bin
COPY sim ./sim
COPY src ./src
COPY scenarios ./scenarios
COPY data ./data
RUN ln -s /app/bin/lwsim.js /usr/local/bin/lwsim
ENTRYPOINT ["lwsim"]
