"""Which components an issue touches, and why.

Evidence, strongest first: a label naming a component (``poc``, ``area/poc``,
``component: poc``); a component named as a word in the title; the components
of the files in the issue's footprint whose probability is at least
``FOOTPRINT_COMPONENT_MIN``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agentlanes.analysis.footprint import PredictedFile
from agentlanes.analysis.paths import ROOT_COMPONENT, ComponentIndex
from agentlanes.model import Issue

FOOTPRINT_COMPONENT_MIN = 0.3
_LABEL_PREFIXES = ("area/", "area:", "area-", "component/", "component:", "component-", "comp/", "module/", "module:")
# Component names too generic to recognise as a bare word in a title.
_MIN_NAME_LENGTH = 3


@dataclass(frozen=True, slots=True)
class ComponentEvidence:
    name: str
    reason: str


def _label_component(label: str, names: dict[str, str]) -> str | None:
    lowered = label.strip().lower()
    for prefix in _LABEL_PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix):].strip()
            break
    return names.get(lowered)


def infer_components(
    issue: Issue, footprint: Iterable[PredictedFile], index: ComponentIndex
) -> list[ComponentEvidence]:
    names = {name.lower(): name for name in index.names() if name != ROOT_COMPONENT}
    found: dict[str, ComponentEvidence] = {}
    for label in issue.labels:
        component = _label_component(label.name, names)
        if component and component not in found:
            found[component] = ComponentEvidence(component, f"label '{label.name}'")
    for lowered, name in names.items():
        if name in found or len(lowered) < _MIN_NAME_LENGTH:
            continue
        # A whole word only: not part of a path such as src/api/handler.py.
        if re.search(rf"(?<![\w/.-]){re.escape(lowered)}(?![\w/.-])", issue.title.lower()):
            found[name] = ComponentEvidence(name, f"'{name}' named in the title")
    for predicted in footprint:
        if predicted.score < FOOTPRINT_COMPONENT_MIN:
            continue
        component = index.component_of(predicted.path)
        if component and component not in found:
            found[component] = ComponentEvidence(component, f"predicted file {predicted.path} ({predicted.score:.2f})")
    return list(found.values())
