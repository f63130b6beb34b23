"""CKAN's words for our terms, shared by the harvester (reading a portal) and our own served CKAN
API (writing one): kept here so neither imports the other."""

# CKAN's default licence ids, mapped to the SPDX keys of metadata/licences.yaml. CKAN's "cc-by"
# and "cc-by-sa" name no version; Indonesian portals (data.go.id and the regional ones) use them
# for the 4.0 licences, so that is how they are read.
LICENCES = {
    "cc-by": "CC-BY-4.0",
    "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa": "CC-BY-SA-4.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "cc-zero": "CC0-1.0",
    "cc0": "CC0-1.0",
    "cc0-1.0": "CC0-1.0",
    "odc-odbl": "ODbL-1.0",
    "odc-by": "ODC-By-1.0",
    "odc-pddl": "PDDL-1.0",
}
# The package extra that marks a sample: set by our CKAN API (web/ckan_packages.py), read back by
# the harvester (harvest/mapping.py) when it harvests another Jendela Data instance.
SAMPLE_EXTRA = "jendela_sample"
