"""Certificate pages by audience: the holder's (holder.py), public verification
(public_pages.py), the API and published lists (api.py), admins' (admin.py). The two
blueprints live in blueprint.py; importing this package registers every route on them."""

from course.modules.certificates.views import admin, api, holder, public_pages
from course.modules.certificates.views.blueprint import bp, public

__all__ = ["admin", "api", "bp", "holder", "public", "public_pages"]
