"""The store connection and its writes: sync, outbox, conflicts, actions, checks, nightly runs."""
