"""`{% audit_schools as audited %}`: the schools whose audit trail the user may
search, for the link on the start page."""

from __future__ import annotations

from typing import Any

from django import template

from koers.schools.access import schools_for
from koers.schools.models import School
from koers.schools.roles import Permission

register = template.Library()


@register.simple_tag(takes_context=True)
def audit_schools(context: dict[str, Any]) -> list[School]:
    request = context.get("request")
    if request is None:
        return []
    return list(schools_for(request.user, Permission.AUDIT))
