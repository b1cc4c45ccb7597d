"""Dutch names of the pages an audit event can name: the logboek shows these
instead of the URL names it stores. A page without a name here (one added
later) shows its URL name; a test keeps the list complete."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PAGE_LABELS: dict[str, Promise] = {
    # Analysis
    "analysis:home": _("startpagina"),
    "analysis:school-overview": _("schooloverzicht"),
    "analysis:school-start": _("startpagina van de school"),
    "analysis:group-overview": _("groepsoverzicht"),
    "analysis:cohort": _("cohort van een groep"),
    "analysis:pupil-overview": _("leerlingoverzicht"),
    "analysis:outcomes-chart": _("grafiek eindresultaten"),
    "analysis:school-chart": _("grafiek van de school"),
    "analysis:cohort-chart": _("grafiek van het cohort"),
    "analysis:group-chart": _("grafiek van de groep"),
    "analysis:pupil-chart": _("grafiek van de leerling"),
    "analysis:school-report": _("rapport van de school (pdf)"),
    "analysis:group-report": _("rapport van de groep (pdf)"),
    "analysis:pupil-report": _("rapport van de leerling (pdf)"),
    "analysis:school-export": _("export van de school"),
    "analysis:group-export": _("export van de groep"),
    "analysis:pupil-export": _("export van de leerling"),
    # Imports
    "imports:upload": _("importeren"),
    "imports:job": _("import controleren"),
    "imports:confirm": _("import bevestigen"),
    "imports:cancel": _("import annuleren"),
    "imports:history": _("eerdere imports"),
    "imports:undo": _("import ongedaan maken"),
    "cli:import": _("import op de opdrachtregel"),
    # Settings
    "schoolsettings:index": _("instellingen"),
    "schoolsettings:ambitions": _("ambities"),
    "schoolsettings:ambitions-edit": _("ambities bewerken"),
    "schoolsettings:ambitions-file": _("ambities als bestand"),
    "schoolsettings:flag-rules": _("signaleringsregels"),
    "schoolsettings:norms": _("normtabel"),
    "schoolsettings:weightings": _("schoolweging"),
    "schoolsettings:weighting-delete": _("schoolweging verwijderen"),
    # Cycle
    "cycle:plan": _("onderwijsplan"),
    "cycle:plan-start": _("onderwijsplan beginnen"),
    "cycle:plan-new-version": _("nieuwe versie van het onderwijsplan"),
    "cycle:plan-diff": _("verschil tussen versies van het onderwijsplan"),
    "cycle:plan-version": _("versie van het onderwijsplan"),
    "cycle:plan-edit": _("onderwijsplan bewerken"),
    "cycle:accountability": _("verantwoording"),
    "cycle:accountability-pdf": _("verantwoording (pdf)"),
    "cycle:board": _("cyclus van het bestuur"),
    "cycle:cycle": _("cyclus van de school"),
    "cycle:meeting-new": _("nieuwe schoolbespreking"),
    "cycle:meeting": _("schoolbespreking"),
    "cycle:meeting-minutes": _("verslag van een schoolbespreking"),
    "cycle:meeting-decision": _("besluit van een schoolbespreking"),
    "cycle:meeting-action": _("actie van een schoolbespreking"),
    "cycle:meeting-pdf": _("verslag van een schoolbespreking (pdf)"),
    "cycle:meeting-close": _("schoolbespreking vaststellen"),
    "cycle:meeting-delete": _("schoolbespreking verwijderen"),
    "cycle:action-done": _("actie afgerond"),
    "cycle:development-plan-new": _("nieuwe aanpak"),
    "cycle:deviation-new": _("nieuwe afwijking van het onderwijsplan"),
    "cycle:pupil-decision-new": _("nieuw leerlingbesluit"),
    "cycle:development-plan": _("aanpak"),
    "cycle:deviation": _("afwijking van het onderwijsplan"),
    "cycle:pupil-decision": _("leerlingbesluit"),
    "cycle:record-edit": _("besluit bewerken"),
    "cycle:record-delete": _("besluit verwijderen"),
    # Accounts
    "accounts:list": _("accounts"),
    "accounts:add": _("nieuw account"),
    "accounts:detail": _("account"),
    "accounts:add-role": _("rol toekennen"),
    "accounts:remove-role": _("rol weghalen"),
    "accounts:reset-second-factor": _("tweede stap wissen"),
    "accounts:end-sessions": _("account overal uitloggen"),
    "accounts:deactivate": _("account deactiveren"),
    "accounts:activate": _("account activeren"),
    # Audit trail and pupil rights
    "audit:log": _("logboek"),
    "audit:log-csv": _("logboek als CSV"),
    "audit:scope-csv": _("bereik als CSV"),
    "rights:search": _("leerlingrechten: zoeken"),
    "rights:pupil": _("leerlingrechten: leerling"),
    "rights:export-json": _("leerlingrechten: gegevens (JSON)"),
    "rights:export-pdf": _("leerlingrechten: overzicht (PDF)"),
    "rights:correct": _("leerlingrechten: corrigeren"),
    "rights:delete": _("leerlingrechten: verwijderen"),
}


def page_label(page: str) -> str:
    label = PAGE_LABELS.get(page)
    return str(label) if label is not None else page
