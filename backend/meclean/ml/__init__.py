"""SSSNet, noisy-label methods, the LOSO trainer, metrics and embeddings (no db, no web)."""
