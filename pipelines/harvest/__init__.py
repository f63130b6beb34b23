"""Harvesting from CKAN portals: the client, schema inference, metadata mapping and the harvester
that writes ordinary dataset folders."""
