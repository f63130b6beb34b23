"""The site's layout, shared by the pages (site.py), the feeds and DCAT, so none imports another."""

# Where each language's pages live inside the site: Indonesian at the root, English under en/.
LANGUAGE_PREFIX = {"id": "", "en": "en/"}
# Downloads of a table that are not its data in another format: the rows left out (quarantine)
# and the Table Schema the data conforms to. Neither is a format facet nor a DCAT distribution.
NOT_DATA_FORMATS = ("quarantine", "schema")
