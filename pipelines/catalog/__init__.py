"""Everything the build publishes besides the data: the static site and its feeds, DCAT, charts,
maps, search index, reports, the README dataset table and Datasette's per-table metadata."""
