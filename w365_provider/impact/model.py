"""What the analysis knows and what it finds: the tenant as read, the planned policies, the effect.

Plain data, no I/O. Ids are compared lower-cased (Graph ids are case-insensitive GUIDs).
A person's ``upn`` is kept only to match Cloud PCs to people (a Cloud PC names its user by
userPrincipalName); it is never rendered in a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENTERPRISE = "enterprise"
FRONTLINE_DEDICATED = "frontlineDedicated"
FRONTLINE_SHARED = "frontlineShared"

KIND_OF_TYPE = {
    "dedicated": ENTERPRISE,
    "shared": FRONTLINE_DEDICATED,
    "sharedByUser": FRONTLINE_DEDICATED,
    "sharedByEntraGroup": FRONTLINE_SHARED,
}
"""Policy license type (``provisioningType``) -> the licences its Cloud PCs use."""

KIND_LABELS = {
    ENTERPRISE: "Enterprise",
    FRONTLINE_DEDICATED: "Frontline dedicated",
    FRONTLINE_SHARED: "Frontline shared",
}

ACTIVE = "active"
GRACE = "grace"
ACTIVE_STATUSES = frozenset({"provisioning", "provisioned", "provisionedWithWarnings", "pendingProvision",
                             "notProvisioned", "resizing", "restoring", "movingRegion", "updatingSingleSignOn",
                             "modifyingSingleSignOn", "preparing", "resizePendingLicense"})  # fmt: skip
"""Statuses of a Cloud PC that holds its licence and is (or will be) usable."""

SETTING_NETWORK = "network"
SETTING_SSO = "singleSignOn"
SETTING_IMAGE = "image"
APPLY_CAN_CHANGE = frozenset({SETTING_NETWORK, SETTING_SSO})
"""Settings that "apply to existing Cloud PCs" (beta ``apply``, ``policySettings`` region or
singleSignOn) brings to existing Cloud PCs; an image change needs a reprovision."""


@dataclass(frozen=True)
class Person:
    id: str
    display_name: str
    upn: str
    plans: frozenset[str]
    """Lower-cased ids of the service plans the user's licences enable (``assignedPlans``)."""


@dataclass(frozen=True)
class Assignment:
    group_id: str
    service_plan_id: str | None = None
    allotment: int | None = None
    """``allotmentLicensesCount`` (beta, Frontline); ``None`` when not set or not visible."""


@dataclass
class Policy:
    """A provisioning policy, as Graph holds it or as the plan will leave it."""

    key: str
    """Graph id (lower case) when it exists, else ``new:<resource name>``."""
    display_name: str
    provisioning_type: str
    assignments: list[Assignment] = field(default_factory=list)
    id: str | None = None
    settings: dict[str, object] = field(default_factory=dict)
    """``network``, ``singleSignOn``, ``image``: what existing Cloud PCs would keep."""

    @property
    def kind(self) -> str | None:
        return KIND_OF_TYPE.get(self.provisioning_type)


@dataclass(frozen=True)
class CloudPc:
    id: str
    upn: str | None
    policy_id: str
    policy_name: str
    plan_id: str
    state: str
    """``active``, ``grace``, or ``gone`` (deprovisioning: holds its licence a little longer)."""


@dataclass
class Plan:
    """What the tenant's policies will be after the change, and which assignments are new."""

    policies: list[Policy]
    """The final policies, existing ones first in Graph's order, then new ones in plan order."""
    new_assignments: dict[tuple[str, str], int]
    """(policy key, group id) -> order of assignments the change adds (0, 1, ...)."""
    actions: dict[str, str]
    """Policy key -> ``create``, ``update``, ``replace``, ``delete``; absent: unchanged."""
    changed_settings: dict[str, set[str]] = field(default_factory=dict)
    """Policy key -> settings (``network``, ``singleSignOn``, ``image``) the change modifies."""
    removed: list[Policy] = field(default_factory=list)
    """Policies the change deletes (or replaces: the old one)."""
    unknown_groups: dict[str, list[str]] = field(default_factory=dict)
    """Policy key -> what is not known before apply (a group created by the same change)."""


@dataclass
class Requests:
    """Graph requests the analysis made, to show they scale with groups and pages, not people."""

    total: int = 0
    pages: int = 0
    groups: int = 0
    denied: int = 0

    def line(self) -> str:
        return (f"{self.total} Graph requests ({self.groups} groups, {self.pages} pages"
                + (f", {self.denied} refused" if self.denied else "") + ")")  # fmt: skip


@dataclass
class Tenant:
    """The tenant as read from Graph (read-only)."""

    people: dict[str, Person] = field(default_factory=dict)
    """Lower-cased user id -> person (only members of the groups that matter)."""
    members: dict[str, list[str]] = field(default_factory=dict)
    """Lower-cased group id -> lower-cased user ids, transitively (nested groups)."""
    group_names: dict[str, str] = field(default_factory=dict)
    enterprise_plans: set[str] = field(default_factory=set)
    frontline_capacity: dict[str, int | None] = field(default_factory=dict)
    """Frontline plan id -> licences bought (``None``: not visible)."""
    plan_names: dict[str, str] = field(default_factory=dict)
    policies: list[Policy] = field(default_factory=list)
    cloud_pcs: list[CloudPc] = field(default_factory=list)
    licenses_visible: bool = True
    """False when Graph returned members without ``assignedPlans`` (no User.Read.All)."""
    unassigned_licenses: dict[str, int] = field(default_factory=dict)
    """Enterprise plan id -> licences bought but assigned to nobody (``subscribedSkus``)."""
    blind_spots: list[str] = field(default_factory=list)
    """What could not be read, in words (no permission, not found, cut at a bound)."""
    requests: Requests = field(default_factory=Requests)


@dataclass
class PolicyEffect:
    """The effect of the change on the people one policy reaches."""

    key: str
    display_name: str
    kind: str | None
    action: str | None
    members: int = 0
    new: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unlicensed: list[str] = field(default_factory=list)
    shadowed: dict[str, str] = field(default_factory=dict)
    """User id -> display name of the earlier policy that covers them."""
    keeps_old: list[str] = field(default_factory=list)
    apply_can_update: bool = False
    changed_settings: set[str] = field(default_factory=set)
    unchanged: list[str] = field(default_factory=list)
    loses: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    """Reached by this policy, but their licence is held by a Cloud PC in its grace period."""
    no_capacity: list[str] = field(default_factory=list)
    order_dependent: list[str] = field(default_factory=list)
    shared_before: int = 0
    shared_after: int = 0
    unknown: list[str] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        """Something about this policy's people changes, or the change touches the policy."""
        return bool(self.action or self.new or self.restored or self.loses or self.keeps_old
                    or self.shared_before != self.shared_after)  # fmt: skip

    @property
    def attention(self) -> bool:
        """Members who get nothing from this policy: unlicensed, covered elsewhere, no capacity."""
        return bool(self.unlicensed or self.shadowed or self.no_capacity)


@dataclass
class Shortfall:
    plan_id: str
    plan_name: str
    kind: str
    needed: int
    available: int | None

    @property
    def missing(self) -> int | None:
        return None if self.available is None else max(0, self.needed - self.available)


@dataclass
class Impact:
    """The whole result: per policy, per service plan, per user, and what could not be seen."""

    policies: list[PolicyEffect]
    shortfalls: list[Shortfall]
    outcome: dict[str, list[tuple[str, str, str]]]
    """Lower-cased user id -> sorted (policy display name, plan id, state) of their Cloud PCs after."""
    pools: dict[tuple[str, str], int]
    """(policy display name, plan id) -> shared (Frontline shared) Cloud PCs after."""
    names: dict[str, str]
    """Lower-cased user id -> display name."""
    blind_spots: list[str]
    requests: Requests
