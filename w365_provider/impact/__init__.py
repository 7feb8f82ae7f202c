"""Who gets which Cloud PC: the effect of a change of provisioning policies on people.

Given the tenant (read-only Graph calls, paged and bounded) and the planned policies (from
``pulumi preview --json`` or a stack's config), :func:`analyze` says per policy and per person
who would get a new Cloud PC, who is assigned but unlicensed, who is already covered by an
earlier-assigned policy, whose Cloud PC keeps its old settings, who loses one (grace period),
and the licence shortfall per service plan. No Pulumi dependency. See docs/impact.md.

Usage::

    from w365_provider.impact import analyze, from_preview, text_report
    impact = analyze(Settings.from_mapping({}), from_preview(digest))
    print(text_report(impact, names=True))
"""

from w365_provider.impact.analysis import analyze, read
from w365_provider.impact.model import Impact, Plan, PolicyEffect, Shortfall, Tenant
from w365_provider.impact.plan import PlannedPolicy, build_plan, from_preview, from_stack_config
from w365_provider.impact.render import markdown_section, text_report
from w365_provider.impact.rules import predict
from w365_provider.impact.warnings import policy_warnings

__all__ = [
    "Impact",
    "Plan",
    "PlannedPolicy",
    "PolicyEffect",
    "Shortfall",
    "Tenant",
    "analyze",
    "build_plan",
    "from_preview",
    "from_stack_config",
    "markdown_section",
    "policy_warnings",
    "predict",
    "read",
    "text_report",
]
