"""Campaign pages: admins' elections (elections.py), an organisation's papers
(papers.py), observers at stations and their packets (stations.py). The blueprint lives in
blueprint.py; importing this package registers every route on it."""

from course.modules.campaigns.views import elections, papers, stations
from course.modules.campaigns.views.blueprint import bp

__all__ = ["bp", "elections", "papers", "stations"]
