"""The alignment graph: who supports whom, across teams and periods.

Alignment is many-to-many and may point at an objective or at one of its key results; like tags,
it induces a graph, not a tree. Validation has already refused cycles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from generator.model import Company, Objective, Reference
from generator.periods import PeriodName


@dataclass(frozen=True, slots=True)
class AlignmentGraph:
    supporters_of: Mapping[Reference, tuple[Reference, ...]]
    """For an objective or a key result: the objectives aligned directly to it, in org order."""
    key_results_of: Mapping[Reference, tuple[Reference, ...]]
    _direct: dict[Reference, tuple[Reference, ...]] = field(default_factory=dict, compare=False, repr=False)
    """``direct_supporters``, as it was asked for: evaluating asks for each objective's several times."""

    def direct_supporters(self, objective: Reference) -> tuple[Reference, ...]:
        """Objectives aligned to the objective itself or to any of its key results."""
        known = self._direct.get(objective)
        if known is not None:
            return known
        found = list(self.supporters_of.get(objective, ()))
        for key_result in self.key_results_of.get(objective, ()):
            found.extend(r for r in self.supporters_of.get(key_result, ()) if r not in found)
        self._direct[objective] = direct = tuple(found)
        return direct

    def all_supporters(self, objective: Reference) -> tuple[Reference, ...]:
        """Every objective anywhere in the company whose alignment leads up to this one, nearest first."""
        found: list[Reference] = []
        seen = {objective}
        frontier = [objective]
        while frontier:
            next_frontier: list[Reference] = []
            for ref in frontier:
                for supporter in self.direct_supporters(ref):
                    if supporter not in seen:
                        seen.add(supporter)
                        found.append(supporter)
                        next_frontier.append(supporter)
            frontier = next_frontier
        return tuple(found)


def build_graph(company: Company) -> AlignmentGraph:
    supporters: dict[Reference, list[Reference]] = {}
    key_results: dict[Reference, tuple[Reference, ...]] = {}
    for objective in company.objectives():
        key_results[objective.ref] = tuple(Reference(objective.team, objective.period, objective.id, kr.id)
                                           for kr in objective.key_results)
        for alignment in objective.aligned_to:
            if not alignment.restricted:
                supporters.setdefault(alignment.target, []).append(objective.ref)
    return AlignmentGraph(MappingProxyType({k: tuple(v) for k, v in supporters.items()}),
                          MappingProxyType(key_results))


def supporters_first(company: Company, graph: AlignmentGraph) -> tuple[Reference, ...]:
    """Every objective, each after all the objectives that support it: the order roll-ups are computed in.
    A depth-first walk (validation has refused cycles; one would only be cut short here, never loop)."""
    order: list[Reference] = []
    seen: set[Reference] = set()
    for objective in company.objectives():
        stack = [(objective.ref, False)]
        while stack:
            ref, supporters_done = stack.pop()
            if supporters_done:
                order.append(ref)
            elif ref not in seen:
                seen.add(ref)
                stack.append((ref, True))
                stack.extend((s, False) for s in reversed(graph.direct_supporters(ref)) if s not in seen)
    return tuple(order)


def is_aligned(objective: Objective) -> bool:
    return bool(objective.aligned_to)


def coverage(company: Company, period: PeriodName | None = None) -> float | None:
    """Share of the teams' objectives (the company's own excluded) aligned to something; ``None`` if none."""
    return coverage_of((o for o in company.objectives() if period is None or o.period == period), company.id)


def coverage_of(objectives: Iterable[Objective], company_id: str) -> float | None:
    """The same share over any set of objectives, such as one department's."""
    candidates = [o for o in objectives if o.team != company_id]
    if not candidates:
        return None
    return sum(is_aligned(o) for o in candidates) / len(candidates)


def unaligned(company: Company, period: PeriodName | None = None) -> tuple[Objective, ...]:
    """The teams' objectives that support nothing, in org order."""
    return tuple(o for o in company.objectives()
                 if o.team != company.id and not is_aligned(o) and (period is None or o.period == period))
