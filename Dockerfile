# ASAR application image: `asar serve`, `asar worker` and `asar db upgrade` (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# templates/, static/ and migrations/ are read from the source tree next to src/ (asar.ROOT_DIR),
# so the package is installed from /app in place rather than copied into site-packages.
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
RUN pip install -e . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin asar

USER asar
EXPOSE 8000
CMD ["asar", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-migrate"]
