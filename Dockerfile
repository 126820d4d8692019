FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# Pango and a font for the PDF certificates (WeasyPrint).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
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
