"""Finds the datasets: a dataset is any folder under datasets/ that holds a descriptor.

Adding a dataset touches only its folder; the registry is what makes that true.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import DescriptorError, UnknownDatasetError
from .model import DATASETS_DIR, DESCRIPTOR_NAME, METADATA_DIR, Dataset, Vocabulary, load_dataset

DATASET_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class Catalog:
    """Every dataset of one datasets/ folder, checked together (resource names are global)."""

    datasets: dict[str, Dataset]
    vocabulary: Vocabulary

    def select(self, ids: list[str] | None) -> list[Dataset]:
        """The datasets asked for, in build order; an unknown id suggests the closest names."""
        if not ids:
            chosen = list(self.datasets)
        else:
            for name in ids:
                if name not in self.datasets:
                    close = difflib.get_close_matches(name, list(self.datasets), n=3, cutoff=0.4)
                    raise UnknownDatasetError(name, close)
            chosen = list(dict.fromkeys(ids))
        order = self.build_order()
        return [self.datasets[i] for i in order if i in chosen]

    def with_dependencies(self, ids: list[str]) -> list[str]:
        """`ids` plus every dataset whose tables they reference, directly or not."""
        wanted: list[str] = []
        pending = list(ids)
        while pending:
            dataset_id = pending.pop()
            if dataset_id in wanted or dataset_id not in self.datasets:
                continue
            wanted.append(dataset_id)
            for target in self.datasets[dataset_id].references:
                owner = self.owner_of(target)
                if owner is not None:
                    pending.append(owner.id)
        return wanted

    def owner_of(self, resource_name: str) -> Dataset | None:
        for dataset in self.datasets.values():
            if any(r.name == resource_name for r in dataset.resources):
                return dataset
        return None

    def build_order(self) -> list[str]:
        """Datasets sorted so that a foreign key's target table is loaded first."""
        done: list[str] = []

        def visit(dataset_id: str, trail: tuple[str, ...]) -> None:
            if dataset_id in done:
                return
            if dataset_id in trail:
                cycle = " -> ".join((*trail, dataset_id))
                raise DescriptorError("datasets/", "foreignKeys", f"cycle of references: {cycle}")
            for target in sorted(self.datasets[dataset_id].references):
                owner = self.owner_of(target)
                if owner is not None:
                    visit(owner.id, (*trail, dataset_id))
            done.append(dataset_id)

        for dataset_id in sorted(self.datasets):
            visit(dataset_id, ())
        return done


def load_catalog(datasets_dir: Path = DATASETS_DIR, metadata_dir: Path = METADATA_DIR) -> Catalog:
    vocabulary = Vocabulary.load(metadata_dir)
    datasets: dict[str, Dataset] = {}
    resource_owner: dict[str, str] = {}
    for folder in sorted(p for p in datasets_dir.iterdir() if (p / DESCRIPTOR_NAME).is_file()):
        if not DATASET_ID.match(folder.name):
            raise DescriptorError(
                str(folder), "(folder name)", "dataset ids are lower-case words joined by hyphens"
            )
        dataset = load_dataset(folder, vocabulary)
        for index, resource in enumerate(dataset.resources):
            if resource.name in resource_owner:
                raise DescriptorError(
                    str(dataset.descriptor_path),
                    f"resources[{index}].name",
                    f"{resource.name!r} is already a resource of dataset "
                    f"{resource_owner[resource.name]!r}; resource names are table names and must "
                    "be unique across the catalog",
                )
            resource_owner[resource.name] = dataset.id
        datasets[dataset.id] = dataset
    catalog = Catalog(datasets=datasets, vocabulary=vocabulary)
    _check_references(catalog)
    return catalog


def _check_references(catalog: Catalog) -> None:
    for dataset in catalog.datasets.values():
        for index, resource in enumerate(dataset.resources):
            for target in resource.references:
                if catalog.owner_of(target) is None:
                    raise DescriptorError(
                        str(dataset.descriptor_path),
                        f"resources[{index}].schema.foreignKeys",
                        f"references resource {target!r}, which no dataset defines",
                    )
