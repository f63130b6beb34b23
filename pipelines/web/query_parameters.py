"""What each canned-query parameter asks for and what an empty box does, said once.

Datasette's canned queries name their parameters but carry no help and no defaults (a missing
parameter is an empty string). Our queries treat an empty box as "all" or as a stated default
(`batas` empty = 20 rows), written in the SQL; the words for it live in datasette.yaml under
`plugins.jendela.parameters` (shared by every query with that name) and
`plugins.jendela.queries.<query>.<parameter>` (where one query differs). The query page shows them
beside each box and the OpenAPI document describes the parameter with the same words.
"""

from __future__ import annotations

from ..core.bilingual import Text


class MissingHelp(KeyError):
    """A canned query parameter without an entry in `plugins.jendela.parameters`."""


def parameter_help(plugin_config: dict, query: str, param: str) -> dict[str, Text]:
    """{"help": Text, "empty": Text} of `param` of canned query `query`."""
    shared = (plugin_config.get("parameters") or {}).get(param)
    if shared is None:
        raise MissingHelp(
            f"datasette.yaml: plugins.jendela.parameters.{param} tidak ada / is missing "
            f"(kueri / query {query})"
        )
    own = ((plugin_config.get("queries") or {}).get(query) or {}).get(param) or {}
    merged = {**shared, **own}
    return {
        "help": Text.from_dict(merged, f"parameters.{param}"),
        "empty": Text.from_dict(merged["kosong"], f"parameters.{param}.kosong"),
    }


def describe(plugin_config: dict, query: str, param: str) -> str:
    """One line for OpenAPI: `help; kosong = ... / help; empty = ...`."""
    found = parameter_help(plugin_config, query, param)
    text, empty = found["help"], found["empty"]
    return f"{text.id}; kosong = {empty.id} / {text.en}; empty = {empty.en}"
