"""Organisation pages by audience: applying and admins' decisions (applying.py), the
learner's side (learner.py), the organisation's staff pages (staff.py), bulk
verification (bulk.py) and the token API (api.py). The blueprints live in blueprint.py;
importing this package registers every route on them."""

from course.modules.organisations.views import api as api_views
from course.modules.organisations.views import applying, bulk, learner, staff
from course.modules.organisations.views.blueprint import api, bp

__all__ = ["api", "api_views", "applying", "bp", "bulk", "learner", "staff"]
