"""What a school wants to reach (ambitions) and how it selects pupils (flag rules)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from koers.results.models import SubjectChoice
from koers.schools.models import School, SchoolYear


class MetricChoice(models.TextChoices):
    P80 = "p80", _("index die 80% van de leerlingen haalt")
    P20 = "p20", _("index die de sterkste 20% haalt")
    PCT_1F = "pct_1f", _("% op koers naar minstens 1F")
    PCT_1S2F = "pct_1s2f", _("% op koers naar 1S/2F")
    END_PCT_1F = "end_pct_1f", _("schoolverlaters: % 1F (drie jaar)")
    END_PCT_1S2F = "end_pct_1s2f", _("schoolverlaters: % 1S/2F (drie jaar)")


class PopulationChoice(models.TextChoices):
    SCHOOL_3_8 = "school_3_8", _("school, groep 3-8")
    SCHOOL_6_8 = "school_6_8", _("school, groep 6-8")
    GROUP = "group", _("elke groep")


class Ambition(models.Model):
    """A target of one school. Without a school year it holds for every year that
    has no target of its own."""

    school = models.ForeignKey(School, models.CASCADE, related_name="ambitions")
    school_year = models.ForeignKey(
        SchoolYear, models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(
        _("vak"), max_length=30, choices=SubjectChoice.choices, blank=True
    )
    metric = models.CharField(_("maat"), max_length=20, choices=MetricChoice.choices)
    population = models.CharField(
        _("populatie"), max_length=20, choices=PopulationChoice.choices
    )
    target = models.DecimalField(_("doel"), max_digits=5, decimal_places=2)
    rationale = models.TextField(_("onderbouwing"), blank=True)

    class Meta:
        verbose_name = _("ambitie")
        verbose_name_plural = _("ambities")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "subject", "metric", "population"],
                name="ambition_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.metric} {self.population}: {self.target}"


class FlagRuleSetting(models.Model):
    """A school's override of one rule that selects pupils with insufficient growth."""

    school = models.ForeignKey(School, models.CASCADE, related_name="flag_rules")
    rule = models.CharField(_("regel"), max_length=40)
    parameters = models.JSONField(
        _("instellingen"),
        default=dict,
        help_text=_("alleen wat de school afwijkend van Koers instelt, ook 'enabled'"),
    )

    class Meta:
        verbose_name = _("signaleringsregel")
        verbose_name_plural = _("signaleringsregels")
        constraints = [
            models.UniqueConstraint(fields=["school", "rule"], name="flag_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.rule}"
