"""Dataset readers, synthetic data, optical flow and the feature store (no db, no web)."""
