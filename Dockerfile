# One image for every tsunagu service; docker-compose.yml and deploy/ choose the service by command.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir .
USER nobody
ENV TSUNAGU_DATA_DIR=/tmp/tsunagu
CMD ["tsunagu", "run"]
