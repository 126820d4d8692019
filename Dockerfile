FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY brokerage ./brokerage
COPY workers ./workers
COPY matching ./matching
COPY alembic ./alembic
COPY alembic.ini ./
RUN pip install -e . && useradd --create-home brokerage && mkdir -p /app/var && chown brokerage /app/var
USER brokerage
EXPOSE 8000
CMD ["brokerage", "serve", "--host", "0.0.0.0", "--no-worker"]
