"""`{% permissions_at school as can %}`: what the user may do at a school, so that
a page shows only the links that lead somewhere. The views enforce it anyway."""

from __future__ import annotations

from typing import Any

from django import template

from koers.schools.access import permissions_at as _permissions_at
from koers.schools.models import School

register = template.Library()


@register.simple_tag(takes_context=True)
def permissions_at(context: dict[str, Any], school: School) -> frozenset[str]:
    request = context.get("request")
    if request is None:
        return frozenset()
    return frozenset(str(p) for p in _permissions_at(request.user, school))
