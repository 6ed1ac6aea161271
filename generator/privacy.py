"""What a site shows of a company, decided before anything is computed or rendered: private objectives
and private period files removed, so no number, page or search entry can reveal them; and, for a
quick preview of a large company, only part of its teams."""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections.abc import Callable, Sequence

from generator.model import Alignment, Company, Objective, Reference, same_objects, subtree
from generator.periods import PeriodName


def public_view(company: Company, *, include_private: bool = False) -> Company:
    """The company without private OKRs; alignments to them become bare "restricted" links."""
    if include_private:
        return company
    hidden: dict[tuple[str, str], set[PeriodName]] = {}
    """Private objectives by team and id (rarely more than a few): cheaper to look up than whole references."""
    for objective in company.objectives():
        if objective.private:
            hidden.setdefault((objective.team, objective.id), set()).add(objective.period)
    if not hidden:
        return company  # nothing private: most companies, and no copy of a large one
    hides = functools.partial(_is_hidden, hidden=hidden)
    teams = []
    for team in company.teams:
        periods = []
        for period in team.periods:
            if period.private:
                continue
            objectives = tuple(_redact(o, hides) for o in period.objectives if not o.private)
            if objectives:
                kept_whole = same_objects(objectives, period.objectives)
                periods.append(period if kept_whole else dataclasses.replace(period, objectives=objectives))
        teams.append(team if same_objects(periods, team.periods) else dataclasses.replace(team, periods=tuple(periods)))
    return Company.create(id=company.id, name=company.name, fiscal_year_start=company.fiscal_year_start,
                          status_rules=company.status_rules, grading=company.grading, teams=tuple(teams),
                          people=company.people, source=company.source)


def _is_hidden(target: Reference, *, hidden: dict[tuple[str, str], set[PeriodName]]) -> bool:
    periods = hidden.get((target.team, target.objective))
    return periods is not None and target.period in periods


def _redact(objective: Objective, hides: Callable[[Reference], bool]) -> Objective:
    """The objective, its alignments to what ``hides`` shown only as restricted."""
    if not any(hides(a.target) for a in objective.aligned_to):
        return objective
    alignments = tuple(
        Alignment("", Reference("", objective.period, ""), a.location, restricted=True) if hides(a.target) else a
        for a in objective.aligned_to)
    return dataclasses.replace(objective, aligned_to=alignments)


class UnknownTeamError(ValueError):
    """A preview names a team the company does not have."""


def part_view(company: Company, team_ids: Sequence[str]) -> Company:
    """Only the named teams, every team below them and the teams above them (so the tree still meets at
    the company): a preview of part of a large company builds in a fraction of the time. Alignment to an
    objective left out shows as restricted. Raises ``UnknownTeamError`` for a team id the company lacks."""
    unknown = [team_id for team_id in team_ids if not company.has_team(team_id)]
    if unknown:
        known = [team.id for team in company.teams]
        hints = [f"'{team_id}'" + (f" (did you mean '{close[0]}'?)" if (close := difflib.get_close_matches(
            team_id, known, n=1)) else "") for team_id in unknown]
        raise UnknownTeamError(f"no team {', '.join(hints)} in this company")
    if not team_ids:
        return company
    chosen = {company.id}
    for team_id in team_ids:
        chosen.update(subtree(company, team_id))
        above = company.team(team_id).parent
        while above is not None:
            chosen.add(above)
            above = company.team(above).parent
    teams = [team for team in company.teams if team.id in chosen]
    kept = {o.ref for team in teams for period in team.periods for o in period.objectives}

    def left_out(target: Reference) -> bool:
        return target.objective_ref not in kept
    trimmed = tuple(dataclasses.replace(
        team, children=tuple(c for c in team.children if c in chosen),
        periods=tuple(dataclasses.replace(period, objectives=tuple(_redact(o, left_out) for o in period.objectives))
                      for period in team.periods)) for team in teams)
    return Company.create(id=company.id, name=company.name, fiscal_year_start=company.fiscal_year_start,
                          status_rules=company.status_rules, grading=company.grading, teams=trimmed,
                          people=company.people, source=company.source)
