"""Local SQLite cache through sqlite-utils: schema, migrations, repositories, outbox, ledger."""
