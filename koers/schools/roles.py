"""The authorisation matrix: which role may do what, and over which pupils.

This table is the school's SOLL matrix (Normenkader IBP, ID.01). Every view
declares one permission from it (`koers.schools.access.requires`); a test fails
when a view declares none or a permission is never used, and `koers roles`
prints the table for the school's privacy officer.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from koers.schools.models import Role


class Permission(StrEnum):
    SIGNED_IN = "signed_in"
    VIEW_SCHOOL = "view_school"
    VIEW_GROUP = "view_group"
    VIEW_PUPIL = "view_pupil"
    VIEW_PLAN = "view_plan"
    EDIT_CYCLE = "edit_cycle"
    IMPORT = "import"
    SETTINGS = "settings"
    ACCOUNTS = "accounts"
    AUDIT = "audit"
    PUPIL_RIGHTS = "pupil_rights"
    VIEW_BOARD = "view_board"


PERMISSION_LABELS: dict[Permission, Promise] = {
    Permission.SIGNED_IN: _("de startpagina met de eigen scholen en groepen"),
    Permission.VIEW_SCHOOL: _(
        "overzichten, rapporten en exports van de hele school, met leerlingnamen"
    ),
    Permission.VIEW_GROUP: _("groepsoverzichten, rapporten en exports"),
    Permission.VIEW_PUPIL: _("leerlingoverzichten, rapporten en exports"),
    Permission.VIEW_PLAN: _("het onderwijsplan lezen"),
    Permission.EDIT_CYCLE: _(
        "schoolbesprekingen, onderwijsplan, aanpakken, afwijkingen en "
        "leerlingbesluiten vastleggen"
    ),
    Permission.IMPORT: _("bestanden importeren en imports ongedaan maken"),
    Permission.SETTINGS: _("ambities, signaleringsregels, normtabel en schoolweging"),
    Permission.ACCOUNTS: _("accounts en rollen beheren"),
    Permission.AUDIT: _("het logboek doorzoeken: wie zag of wijzigde wat"),
    Permission.PUPIL_RIGHTS: _(
        "inzage, correctie en verwijdering van één leerling (AVG-verzoeken)"
    ),
    Permission.VIEW_BOARD: _("cijfers per school van het bestuur, zonder leerlingen"),
}


class Reach(StrEnum):
    """Over which pupils a role's permissions reach."""

    SCHOOL = "school"
    OWN_GROUPS = "own_groups"


class Grant(NamedTuple):
    permissions: frozenset[Permission]
    reach: Reach


_SCHOOL_STAFF = frozenset(
    {
        Permission.SIGNED_IN,
        Permission.VIEW_SCHOOL,
        Permission.VIEW_GROUP,
        Permission.VIEW_PUPIL,
        Permission.VIEW_PLAN,
        Permission.EDIT_CYCLE,
        Permission.IMPORT,
        Permission.SETTINGS,
    }
)

# The applicatiebeheerder manages accounts and settings but reads no dossier; the
# one exception, an AVG request about one pupil, is logged like every other read.
MATRIX: dict[Role, Grant] = {
    Role.TEACHER: Grant(
        frozenset(
            {
                Permission.SIGNED_IN,
                Permission.VIEW_GROUP,
                Permission.VIEW_PUPIL,
                Permission.VIEW_PLAN,
            }
        ),
        Reach.OWN_GROUPS,
    ),
    Role.SUPPORT: Grant(_SCHOOL_STAFF, Reach.SCHOOL),
    Role.DIRECTOR: Grant(_SCHOOL_STAFF, Reach.SCHOOL),
    Role.ADMIN: Grant(
        frozenset(
            {
                Permission.SIGNED_IN,
                Permission.SETTINGS,
                Permission.ACCOUNTS,
                Permission.AUDIT,
                Permission.PUPIL_RIGHTS,
            }
        ),
        Reach.SCHOOL,
    ),
    Role.PRIVACY: Grant(
        frozenset({Permission.SIGNED_IN, Permission.AUDIT}), Reach.SCHOOL
    ),
}

# Board staff hold no school membership; their one permission reaches the
# aggregates of their board's schools.
BOARD_PERMISSIONS = frozenset({Permission.SIGNED_IN, Permission.VIEW_BOARD})

# Pages of these permissions hold no pupil data (the onderwijsplan is the school's
# offer, the same for every child), so a role reaches them school-wide whatever
# its reach over pupils.
WITHOUT_PUPIL_DATA = frozenset({Permission.SIGNED_IN, Permission.VIEW_PLAN})

# A teacher sees the groups of this school year and of the one before: enough to
# hand a class over, not a whole career of former pupils.
TEACHER_YEARS_BACK = 1


def roles_with(permission: Permission, reach: Reach | None = None) -> list[Role]:
    if reach is Reach.SCHOOL and permission in WITHOUT_PUPIL_DATA:
        reach = None
    return [
        role
        for role, grant in MATRIX.items()
        if permission in grant.permissions and (reach is None or grant.reach == reach)
    ]


NOT_GRANTED = "\N{EN DASH}"


def matrix_table() -> list[list[str]]:
    """The matrix as rows of text: a header, then one row per permission."""
    header = [str(_("Mag")), *(str(role.label) for role in MATRIX), str(_("bestuur"))]
    rows = [header]
    for permission in Permission:
        cells = [str(PERMISSION_LABELS[permission])]
        for grant in MATRIX.values():
            if permission not in grant.permissions:
                cells.append(NOT_GRANTED)
            elif grant.reach == Reach.OWN_GROUPS and permission not in (
                WITHOUT_PUPIL_DATA
            ):
                cells.append(str(_("eigen groepen")))
            else:
                cells.append(str(_("ja")))
        cells.append(str(_("ja")) if permission in BOARD_PERMISSIONS else NOT_GRANTED)
        rows.append(cells)
    return rows
