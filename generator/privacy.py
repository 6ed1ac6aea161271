"""The public view of a company: private objectives and private period files removed before anything
is computed or rendered, so no number, page or search entry can reveal them."""

from __future__ import annotations

import dataclasses

from generator.model import Alignment, Company, Objective, Reference


def public_view(company: Company, *, include_private: bool = False) -> Company:
    """The company without private OKRs; alignments to them become bare "restricted" links."""
    if include_private:
        return company
    kept = {o.ref for o in company.objectives() if not o.private}
    teams = []
    for team in company.teams:
        periods = []
        for period in team.periods:
            if period.private:
                continue
            objectives = tuple(_redact(o, kept) for o in period.objectives if o.ref in kept)
            if objectives:
                periods.append(dataclasses.replace(period, objectives=objectives))
        teams.append(dataclasses.replace(team, periods=tuple(periods)))
    return Company.create(id=company.id, name=company.name, fiscal_year_start=company.fiscal_year_start,
                          status_rules=company.status_rules, grading=company.grading, teams=tuple(teams),
                          people=company.people, source=company.source)


def _redact(objective: Objective, kept: set[Reference]) -> Objective:
    if all(a.target.objective_ref in kept for a in objective.aligned_to):
        return objective
    alignments = tuple(
        a if a.target.objective_ref in kept
        else Alignment("", Reference("", objective.period, ""), a.location, restricted=True)
        for a in objective.aligned_to)
    return dataclasses.replace(objective, aligned_to=alignments)
