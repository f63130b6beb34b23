"""Everything served: the Datasette plugin and its pages, API, OpenAPI, facets, CSV, i18n, and the
read-only CKAN API. Serving loads only this, `core` and the facet store: never the harvester or a
network client."""
