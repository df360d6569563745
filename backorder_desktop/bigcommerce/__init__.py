"""BigCommerce REST client: auth, rate limits, retries, pagination, batching, JSON <-> domain."""
