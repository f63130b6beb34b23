"""The build's steps, one module each: fetch, normalise, regions, validate, load, quarantine,
export, OCDS, coverage, and the facet store the build writes for the server to read."""
