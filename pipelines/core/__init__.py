"""The vocabulary every other package shares: model, registry, errors, Indonesian parsing and
formatting, release layout, provenance records, progress. Imports nothing of ours outside `core`."""
