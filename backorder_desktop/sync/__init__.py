"""Pull (API -> cache) and push (outbox -> API)."""
