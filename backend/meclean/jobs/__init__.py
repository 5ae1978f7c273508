"""Training runs as queued tasks: launch, execute on any worker, recover, aggregate."""
