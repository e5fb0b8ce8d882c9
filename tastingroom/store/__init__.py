"""The register's SQLite cache: models, the engine with its pragmas, and migrations."""
