"""A pupil's name never reaches the logs: not while importing, not on the pages."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from koers.analysis import services
from koers.lib.records import ImportRejected
from koers.results.services import import_file
from koers.schools.models import Group, Pupil
from koers.tests.accounts import make_user, sign_in

pytestmark = pytest.mark.django_db

CANARY_FIRST = "Canarynaam"
CANARY_LAST = "Zzyzx"

ROSTER = f"""<?xml version="1.0" encoding="UTF-8"?>
<EDEX>
  <school>
    <schooljaar>2024-2025</schooljaar>
    <brincode>77CN</brincode>
    <dependancecode>00</dependancecode>
  </school>
  <groepen>
    <groep key="G5"><naam>5C</naam><jaargroep>5</jaargroep></groep>
  </groepen>
  <leerlingen>
    <leerling key="9001">
      <achternaam>{CANARY_LAST}</achternaam>
      <roepnaam>{CANARY_FIRST}</roepnaam>
      <geboortedatum>2015-02-03</geboortedatum>
      <jaargroep>5</jaargroep>
      <groep key="G5"/>
      <bsn>999999990</bsn>
    </leerling>
    <leerling key="9002">
      <geboortedatum>2015-04-05</geboortedatum>
      <jaargroep>Q9</jaargroep>
      <roepnaam>{CANARY_FIRST}</roepnaam>
      <achternaam>{CANARY_LAST}</achternaam>
    </leerling>
  </leerlingen>
</EDEX>
""".encode()

RESULTS = (
    "Leerlingnummer;Achternaam;Toets;Afnamedatum;Ruwe score;Percentiel;Niveau I-V\n"
    f"9001;{CANARY_LAST};Rekenen-Wiskunde;20-01-2025;30;8;V\n"
    f"9001;{CANARY_LAST};Rekenen-Wiskunde;20-06-2025;31;7;V\n"
    f"9001;{CANARY_LAST};Rekenen-Wiskunde;10-10-2024;29;6;V\n"
    f"9003;{CANARY_LAST};Rekenen-Wiskunde;10-10-2024;;;\n"
).encode()


def test_it_never_writes_a_pupil_name_to_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="koers")
    caplog.set_level(logging.DEBUG)

    roster = import_file("roster.xml", ROSTER)
    results = import_file("resultaten.csv", RESULTS)
    # Also a rejected file that carries the name.
    with pytest.raises(ImportRejected):
        import_file("kapot.xml", ROSTER[:-20])

    pupil = Pupil.objects.get(key="9001")
    assert pupil.display_name == f"{CANARY_FIRST} {CANARY_LAST}"
    # The second roster pupil has an invalid grade and was skipped; the results
    # row of 9003 has no score.
    assert roster.skipped and results.skipped
    # Three results with index 6, 7 and 8 below 10: the pupil is flagged, so the
    # flag code ran as well.
    assert services.flags_for(pupil.school, pupil)

    client = sign_in(make_user("ib-er", pupil.school))
    group = Group.objects.get(name="5C")
    for url in (
        reverse("analysis:home"),
        reverse("analysis:school-overview", args=[pupil.school.pk]),
        reverse("analysis:group-overview", args=[group.pk]),
        reverse("analysis:pupil-overview", args=[pupil.pk]),
        reverse("analysis:pupil-overview", args=[9999]),
    ):
        assert client.get(url).status_code in (200, 302, 404)
    assert (
        CANARY_LAST
        in client.get(
            reverse("analysis:pupil-overview", args=[pupil.pk])
        ).content.decode()
    )

    logged = [
        (record.name, record.getMessage(), str(record.args), str(record.exc_info))
        for record in caplog.records
    ]
    assert logged, "the import and the pages log something"
    assert any(name.startswith("koers") for name, *_ in logged)
    for entry in logged:
        text = " ".join(entry)
        assert CANARY_FIRST not in text
        assert CANARY_LAST not in text
        assert "999999990" not in text
    assert CANARY_LAST not in caplog.text
