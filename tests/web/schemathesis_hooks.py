"""schemathesis hooks for test_openapi.py (loaded through SCHEMATHESIS_HOOKS).

`_sort` and `_sort_desc` exclude each other: the document says so in both parameters' words, but
OpenAPI 3.0 cannot state a rule between two parameters, so a generated request that carries both
keeps `_sort` only (the server answers both at once with a 400 naming the clash).
"""

from __future__ import annotations

import schemathesis


@schemathesis.hook
def map_query(ctx, query):
    if query and "_sort" in query and "_sort_desc" in query:
        return {key: value for key, value in query.items() if key != "_sort_desc"}
    return query
