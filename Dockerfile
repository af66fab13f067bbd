# The one image of every onething process in docker-compose.yml: department services,
# workers, the event bridge, the codec server, the workbench and init-secrets differ only in their
# command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ONETHING_HOME=/data

# /data and /secrets are owned by onething in the image; Docker copies that ownership into a
# fresh named volume mounted there, so the department services can write their databases and
# init-secrets the cluster's secrets (owner-only).
RUN useradd --create-home --uid 10001 --user-group onething \
    && mkdir /data /secrets \
    && chown onething:onething /data /secrets \
    && chmod 700 /secrets

WORKDIR /src
COPY pyproject.toml README.md ./
COPY onething ./onething
COPY workflows ./workflows
COPY activities ./activities
COPY events ./events
COPY workers ./workers
COPY departments ./departments
COPY workbench ./workbench
# The sources go once installed, so every process imports the installed package.
RUN pip install --no-cache-dir . \
    && rm -rf /src

COPY deploy/healthcheck.py /opt/onething/healthcheck.py

USER onething
WORKDIR /home/onething

CMD ["onething", "--help"]
