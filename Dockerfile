# One image for the API and the workers. TORCH_INDEX picks the torch build: CPU for the
# API, CUDA for GPU workers (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
WORKDIR /app
# A C compiler: CPU workers compile their fused first layer on first use (without one they
# train with PyTorch's layers, slower).
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir torch==2.13.0 --index-url ${TORCH_INDEX}
COPY pyproject.toml README.md constraints.txt ./
COPY backend backend
# The browser app and the migrations ship inside the package: a plain install serves both.
RUN pip install --no-cache-dir -c constraints.txt ".[postgres]"
ENV MECLEAN_DATA_DIR=/data
EXPOSE 8000
CMD ["meclean", "serve", "--host", "0.0.0.0"]
