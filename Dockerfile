# Zhiyin bot image. docker-compose.yml runs it next to a Redis with AOF persistence.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY strategies ./strategies
RUN pip install . \
    && useradd --system --uid 10001 --home /app zhiyin \
    && mkdir -p /data /playbook \
    && chown zhiyin /data

USER zhiyin
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"
# SIGTERM (docker stop) lets in-flight updates finish before the bot exits.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
