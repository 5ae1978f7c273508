"""The HTTP API (FastAPI) that the browser app and other tools talk to."""
