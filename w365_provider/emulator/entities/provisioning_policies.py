"""``provisioningPolicies``: Cloud PC provisioning policies, their rules, and the ``assign`` action.

Graph reference (each rule below names the page it comes from):
- [resource] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcprovisioningpolicy?view=graph-rest-1.0
- [beta] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcprovisioningpolicy?view=graph-rest-beta
- [create] https://learn.microsoft.com/en-us/graph/api/virtualendpoint-post-provisioningpolicies?view=graph-rest-1.0
- [update] https://learn.microsoft.com/en-us/graph/api/cloudpcprovisioningpolicy-update?view=graph-rest-1.0
- [delete] https://learn.microsoft.com/en-us/graph/api/cloudpcprovisioningpolicy-delete?view=graph-rest-1.0
- [assign] https://learn.microsoft.com/en-us/graph/api/cloudpcprovisioningpolicy-assign?view=graph-rest-1.0
- [join] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcdomainjoinconfiguration?view=graph-rest-1.0
- [update beta] https://learn.microsoft.com/en-us/graph/api/cloudpcprovisioningpolicy-update?view=graph-rest-beta
- [admin] https://learn.microsoft.com/en-us/windows-365/enterprise/create-provisioning-policy
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from starlette.responses import Response

from ..errors import BadRequest
from ..provisioning import reconcile
from ..routing import Call, Node
from ..schema import EntityType, EnumType, Prop, bool_prop, enum_prop, int_prop, now_iso, require, string_prop, writable_properties
from . import policy_actions, policy_deprecated
from .assignments import POLICY_ASSIGNMENT, assignment_item, assignment_targets
from .base import EntitySet, keyed_handler
from .policy_naming import check_naming_template

DISPLAY_NAME_CHARACTERS_MSG = "The display name can't contain any of these characters: < > & | \" ^"
DISPLAY_NAME_LENGTH_MSG = "The display name can't be longer than {max} characters."
GALLERY_IMAGE_NOT_FOUND_MSG = "The gallery image '{id}' does not exist."
GALLERY_IMAGE_NOT_SUPPORTED_MSG = "The gallery image '{id}' is not supported anymore (status notSupported)."
DEVICE_IMAGE_NOT_FOUND_MSG = "The device image '{id}' does not exist."
DEVICE_IMAGE_NOT_READY_MSG = "The device image '{id}' is not ready (status {status})."
DOMAIN_JOIN_EMPTY_MSG = "At least one domain join configuration is required."
DOMAIN_JOIN_TYPE_REQUIRED_MSG = "Each domain join configuration needs a domainJoinType."
HYBRID_JOIN_CONNECTION_REQUIRED_MSG = "A hybridAzureADJoin configuration requires an onPremisesConnectionId."
HYBRID_JOIN_REGION_MSG = "A hybridAzureADJoin configuration can't set a regionName."
AZURE_AD_JOIN_ONE_OF_MSG = "An azureADJoin configuration requires exactly one of onPremisesConnectionId or regionName."
CONNECTION_NOT_FOUND_MSG = "The on-premises connection '{id}' does not exist."
CONNECTION_TYPE_MISMATCH_MSG = "The on-premises connection '{id}' is of type {actual} and can't be used for {expected}."
IMMUTABLE_PROPERTY_MSG = "The property '{name}' can't be changed after the policy is created."
CLOUD_APP_REQUIRES_SHARED_MSG = "userExperienceType cloudApp requires provisioningType sharedByEntraGroup."
PERSISTENCE_REQUIRES_SHARED_MSG = (
    "userSettingsPersistenceConfiguration.userSettingsPersistenceEnabled can only be true with provisioningType "
    "sharedByEntraGroup."
)
AUTOPILOT_TIMEOUT_MSG = "applicationTimeoutInMinutes must be between 30 and 360."
POLICY_IN_USE_MSG = "The provisioning policy '{id}' is assigned; remove all its assignments before deleting it."
ASSIGNMENTS_NAV_UNSUPPORTED_MSG = (
    "Reading assignments through the navigation property is not supported; use $expand=assignments."
)
SERVICE_PLAN_REQUIRED_MSG = "servicePlanId is required for assignments of a {type} provisioning policy."

DISPLAY_NAME_MAX = 120
FORBIDDEN_NAME_CHARACTERS = '<>&|"^'

# --------------------------------------------------------------------------- schema ([resource], [beta])
IMAGE_TYPE = EnumType("microsoft.graph.cloudPcProvisioningPolicyImageType", ("gallery", "custom", "unknownFutureValue"))
PROVISIONING_TYPE = EnumType(
    "microsoft.graph.cloudPcProvisioningType",
    ("dedicated", "shared", "unknownFutureValue"),
    ("sharedByUser", "sharedByEntraGroup", "reserve"),
)
DOMAIN_JOIN_TYPE = EnumType("microsoft.graph.cloudPcDomainJoinType", ("azureADJoin", "hybridAzureADJoin", "unknownFutureValue"))
REGION_GROUP = EnumType(
    "microsoft.graph.cloudPcRegionGroup",
    ("default", "australia", "canada", "usCentral", "usEast", "usWest", "france", "germany", "europeUnion",
     "unitedKingdom", "japan", "asia", "india", "southAmerica", "euap", "usGovernment", "usGovernmentDOD",
     "norway", "switzerland", "southKorea", "unknownFutureValue"),
    ("middleEast", "mexico", "australasia", "europe", "singapore", "hongKong", "ireland", "sweden", "poland",
     "italy", "spain", "netherlands", "brazil", "israel", "automatic", "indonesia", "taiwan", "malaysia",
     "newZealand", "austria", "denmark", "belgium", "kenya"),
)
GEOGRAPHIC_LOCATION_TYPE = EnumType(
    "microsoft.graph.cloudPcGeographicLocationType",
    (),
    ("default", "asia", "australasia", "canada", "europe", "india", "africa", "usCentral", "usEast", "usWest",
     "southAmerica", "middleEast", "centralAmerica", "usGovernment", "unknownFutureValue", "mexico"),
)
MANAGED_DESKTOP_TYPE = EnumType(
    "microsoft.graph.microsoftManagedDesktopType",
    ("notManaged", "premiumManaged", "standardManaged", "starterManaged", "unknownFutureValue"),
)
MANAGED_BY = EnumType(
    "microsoft.graph.cloudPcManagementService",
    (),
    ("windows365", "devBox", "unknownFutureValue", "rpaBox", "microsoft365Opal", "microsoft365BizChat"),
)
USER_EXPERIENCE_TYPE = EnumType("microsoft.graph.cloudPcUserExperienceType", (), ("cloudPc", "cloudApp", "unknownFutureValue"))
SNAPSHOT_RESET_MODE = EnumType(
    "microsoft.graph.cloudPcSnapshotResetMode", (), ("notApplicable", "enabled", "disabled", "unknownFutureValue")
)
STORAGE_SIZE_CATEGORY = EnumType(
    "microsoft.graph.cloudPcUserSettingsPersistenceStorageSizeCategory",
    (),
    ("fourGB", "eightGB", "sixteenGB", "thirtyTwoGB", "sixtyFourGB", "unknownFutureValue"),
)

DOMAIN_JOIN_FIELDS: dict[str, Prop] = {
    "domainJoinType": enum_prop(DOMAIN_JOIN_TYPE),
    "onPremisesConnectionId": string_prop(),
    "regionGroup": enum_prop(REGION_GROUP),
    "regionName": string_prop(),
    "geographicLocationType": enum_prop(GEOGRAPHIC_LOCATION_TYPE, beta=True, read_only=True),
    "type": enum_prop(DOMAIN_JOIN_TYPE, beta=True),  # deprecated alias of domainJoinType
}

POLICY = EntityType(
    "microsoft.graph.cloudPcProvisioningPolicy",
    {
        "id": string_prop(read_only=True),
        "displayName": string_prop(nullable=False),
        "description": string_prop(),
        "imageId": string_prop(nullable=False),
        "imageDisplayName": string_prop(nullable=False),
        "imageType": enum_prop(IMAGE_TYPE, nullable=False),
        "domainJoinConfigurations": Prop(
            "collection", fields=DOMAIN_JOIN_FIELDS, type_name="microsoft.graph.cloudPcDomainJoinConfiguration"
        ),
        "provisioningType": enum_prop(PROVISIONING_TYPE),
        "cloudPcNamingTemplate": string_prop(),
        "enableSingleSignOn": bool_prop(),
        "windowsSetting": Prop(
            "object", fields={"locale": string_prop()}, type_name="microsoft.graph.cloudPcWindowsSetting"
        ),
        "microsoftManagedDesktop": Prop(
            "object",
            fields={"managedType": enum_prop(MANAGED_DESKTOP_TYPE), "profile": string_prop()},
            type_name="microsoft.graph.microsoftManagedDesktop",
        ),
        "autopatch": Prop(
            "object",
            fields={"autopatchGroupId": string_prop()},
            type_name="microsoft.graph.cloudPcProvisioningPolicyAutopatch",
        ),
        "localAdminEnabled": bool_prop(),
        "gracePeriodInHours": int_prop(read_only=True),
        "cloudPcGroupDisplayName": string_prop(read_only=True),
        "alternateResourceUrl": string_prop(read_only=True),
        # beta only
        "managedBy": enum_prop(MANAGED_BY, beta=True),
        "userExperienceType": enum_prop(USER_EXPERIENCE_TYPE, beta=True),
        "autopilotConfiguration": Prop(
            "object",
            beta=True,
            fields={
                "devicePreparationProfileId": string_prop(),
                "applicationTimeoutInMinutes": int_prop(),
                "onFailureDeviceAccessDenied": bool_prop(),
            },
            type_name="microsoft.graph.cloudPcAutopilotConfiguration",
        ),
        "userSettingsPersistenceConfiguration": Prop(
            "object",
            beta=True,
            fields={
                "userSettingsPersistenceEnabled": bool_prop(),
                "userSettingsPersistenceStorageSizeCategory": enum_prop(STORAGE_SIZE_CATEGORY),
            },
            type_name="microsoft.graph.cloudPcUserSettingsPersistenceConfiguration",
        ),
        "scopeIds": Prop("strings", beta=True),
        # deprecated: "stopped returning data" ([beta]); input is folded into windowsSetting (policy_deprecated)
        "windowsSettings": Prop(
            "object", beta=True, read_only=True, fields={"language": string_prop()},
            type_name="microsoft.graph.cloudPcWindowsSettings",
        ),
        "snapshotResetMode": enum_prop(SNAPSHOT_RESET_MODE, beta=True),
        "createdBy": string_prop(beta=True, read_only=True),
        "createdDateTime": string_prop(beta=True, read_only=True),
        "lastModifiedBy": string_prop(beta=True, read_only=True),
        "lastModifiedDateTime": string_prop(beta=True, read_only=True),
    },
    navigation=("assignments",),
)
#: One domain join configuration, as a value of its own (the deprecated ``domainJoinConfiguration``).
DOMAIN_JOIN = Prop("object", fields=DOMAIN_JOIN_FIELDS, type_name="microsoft.graph.cloudPcDomainJoinConfiguration")

#: Server defaults of a new policy ([create], [resource]; see FIDELITY.md for the assumed ones).
POLICY_DEFAULTS: dict[str, Any] = {
    "description": None,
    "imageDisplayName": None,
    "provisioningType": "dedicated",
    "cloudPcNamingTemplate": None,
    "enableSingleSignOn": False,
    "windowsSetting": {"locale": "en-US"},
    "microsoftManagedDesktop": {"managedType": "notManaged", "profile": None},
    "autopatch": None,
    "localAdminEnabled": False,
    "gracePeriodInHours": 2,
    "cloudPcGroupDisplayName": None,
    "alternateResourceUrl": None,
    "managedBy": "windows365",
    "userExperienceType": "cloudPc",
    "autopilotConfiguration": None,
    "userSettingsPersistenceConfiguration": None,
    "scopeIds": ["0"],
    "snapshotResetMode": None,
    "createdBy": None,
    "lastModifiedBy": None,
}


# --------------------------------------------------------------------------- pure rules
def check_display_name(name: str) -> None:
    """[admin]: a policy name can't contain < > & | " ^ (the length limit is an assumption)."""
    if any(ch in FORBIDDEN_NAME_CHARACTERS for ch in name):
        raise BadRequest(DISPLAY_NAME_CHARACTERS_MSG)
    if len(name) > DISPLAY_NAME_MAX:
        raise BadRequest(DISPLAY_NAME_LENGTH_MSG.format(max=DISPLAY_NAME_MAX))


def check_beta_rules(policy: dict[str, Any], changed: set[str]) -> None:
    """[beta]: cloudApp and user settings persistence need sharedByEntraGroup; Autopilot timeout 30–360.

    A persistence configuration that is not enabled is accepted on any policy: [update beta] PATCHes
    ``{"userSettingsPersistenceEnabled": false, ...}`` onto a dedicated policy (204).
    """
    provisioning_type = policy.get("provisioningType")
    if changed & {"userExperienceType", "provisioningType"} and policy.get("userExperienceType") == "cloudApp":
        if provisioning_type != "sharedByEntraGroup":
            raise BadRequest(CLOUD_APP_REQUIRES_SHARED_MSG)
    if changed & {"userSettingsPersistenceConfiguration", "provisioningType"}:
        persistence = policy.get("userSettingsPersistenceConfiguration") or {}
        if persistence.get("userSettingsPersistenceEnabled") and provisioning_type != "sharedByEntraGroup":
            raise BadRequest(PERSISTENCE_REQUIRES_SHARED_MSG)
    autopilot = policy.get("autopilotConfiguration")
    if "autopilotConfiguration" in changed and autopilot:
        timeout = autopilot.get("applicationTimeoutInMinutes")
        if timeout is not None and not 30 <= timeout <= 360:
            raise BadRequest(AUTOPILOT_TIMEOUT_MSG)


def join_config(config: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """[join]: (join type, connection id, region) of one entry, checked against the join type's rules."""
    join_type = config.get("domainJoinType") or config.get("type")
    if not join_type:
        raise BadRequest(DOMAIN_JOIN_TYPE_REQUIRED_MSG)
    connection_id = config.get("onPremisesConnectionId") or None
    region = config.get("regionName") or None
    if join_type == "hybridAzureADJoin":
        if connection_id is None:
            raise BadRequest(HYBRID_JOIN_CONNECTION_REQUIRED_MSG)
        if region is not None:
            raise BadRequest(HYBRID_JOIN_REGION_MSG)
    elif (connection_id is None) == (region is None):
        raise BadRequest(AZURE_AD_JOIN_ONE_OF_MSG)
    return join_type, connection_id, region


# --------------------------------------------------------------------------- the entity set
class ProvisioningPolicies(EntitySet):
    """CRUD and ``assign``; ``GET {id}/assignments`` is refused (use ``$expand``)."""

    name = "provisioningPolicies"
    entity_type = POLICY
    navigation_types = {"assignments": POLICY_ASSIGNMENT}

    def routes(self) -> Node:
        node = self.collection(
            create=self.create,
            update=self.update,
            delete=self.delete,
            actions={
                "assign": {"POST": keyed_handler(self.assign)},
                "assignments": {"GET": self.handle_assignments_nav},
                "apply": {"POST": keyed_handler(self.apply)},
            },
        )
        node.children["applyConfig"] = Node(methods={"POST": self.handle_apply_config})
        assert node.item is not None
        node.item.children["assignments"].item = assignment_item(self.get, self.read_assignment)
        return node

    def connection_join_type(self, connection_id: str) -> str:
        """The join type of an existing connection (the deprecated ``onPremisesConnectionId`` form)."""
        connection = self.store.get("onPremisesConnections", connection_id)
        if connection is None:
            raise BadRequest(CONNECTION_NOT_FOUND_MSG.format(id=connection_id))
        return str(connection.get("connectionType") or "hybridAzureADJoin")

    def writable(self, body: Any, version: str) -> dict[str, Any]:
        """The body's writable properties, the deprecated single-connection forms folded in first."""
        body = policy_deprecated.fold(body, version, DOMAIN_JOIN, self.connection_join_type)
        return writable_properties(POLICY, body, version)

    def apply(self, policy_id: str, body: Any, version: str) -> None:
        """[apply] (beta): 204; the policy must exist. Cloud PCs are not emulated: the request log
        is what tests look at."""
        policy_actions.require_beta(version, "apply")
        self.require(policy_id)
        policy_actions.check_apply(body, version)

    def handle_apply_config(self, call: Call) -> Response:
        """[applyConfig] (beta): 204 for a valid body."""
        policy_actions.check_apply_config(call.body, call.version)
        return Response(status_code=204)

    def create(self, body: Any, version: str) -> dict[str, Any]:
        """[create]: 201 with a server GUID; required properties, defaults, then every rule."""
        data = self.writable(body, version)
        require(data, ("displayName", "imageId", "imageType", "domainJoinConfigurations"))
        now = now_iso(self.backend.clock())
        policy: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            **copy.deepcopy(POLICY_DEFAULTS),
            "createdDateTime": now,
            "lastModifiedDateTime": now,
            **data,
            "assignments": [],
        }
        with self.store.transaction():
            self.check(policy, set(policy))
            return self.store.insert(self.name, policy)

    def update(self, policy_id: str, body: Any, version: str) -> None:
        """[update]: 204; provisioningType (and beta userExperienceType) can't change."""
        data = self.writable(body, version)
        with self.store.transaction():
            current = self.require(policy_id)
            for name in ("provisioningType", "userExperienceType"):
                if name in data and data[name] != current.get(name):
                    raise BadRequest(IMMUTABLE_PROPERTY_MSG.format(name=name))
            merged = {**current, **data}
            if ("imageId" in data or "imageType" in data) and "imageDisplayName" not in data:
                merged["imageDisplayName"] = None  # refilled from the image by check()
            self.check(merged, set(data))
            merged["lastModifiedDateTime"] = now_iso(self.backend.clock())
            self.store.update(self.name, merged)

    def delete(self, policy_id: str) -> None:
        """[delete]: "You can't delete a policy that's in use" (status and code: assumption)."""
        with self.store.transaction():
            policy = self.require(policy_id)
            if policy.get("assignments"):
                raise BadRequest(POLICY_IN_USE_MSG.format(id=policy["id"]))
            self.store.delete(self.name, policy_id)

    def assign(self, policy_id: str, body: Any, version: str) -> None:
        """[assign]: replace the whole set; ids ``{policyId}_{groupId}``; servicePlanId unless dedicated."""
        with self.store.transaction():
            policy = self.require(policy_id)
            targets = assignment_targets(self.store, body, version)
            provisioning_type = policy.get("provisioningType") or "dedicated"
            if provisioning_type != "dedicated":
                for target in targets:
                    if not target.get("servicePlanId"):
                        raise BadRequest(SERVICE_PLAN_REQUIRED_MSG.format(type=provisioning_type))
            policy["assignments"] = [{"id": f"{policy['id']}_{t['groupId']}", "target": t} for t in targets]
            self.store.update(self.name, policy)
            reconcile(self.backend)  # who gets which Cloud PC follows the assignments (provisioning.py)

    def handle_assignments_nav(self, call: Call) -> Response:
        """404 first for an unknown policy, then 400: the service refuses the navigation GET."""
        self.get(call.keys[-1])
        raise BadRequest(ASSIGNMENTS_NAV_UNSUPPORTED_MSG)

    def read_assignment(self, _call: Call, _policy: dict[str, Any], _assignment_id: str) -> Response:
        """One assignment through the navigation property: refused like the list (rule 36)."""
        raise BadRequest(ASSIGNMENTS_NAV_UNSUPPORTED_MSG)

    # ----------------------------------------------------------------- cross-property rules
    def check(self, policy: dict[str, Any], changed: set[str]) -> None:
        """Every cross-property rule of a provisioning policy, for the properties that changed."""
        if "displayName" in changed:
            check_display_name(policy["displayName"])
        if changed & {"cloudPcNamingTemplate", "provisioningType"} and policy.get("cloudPcNamingTemplate") is not None:
            check_naming_template(policy["cloudPcNamingTemplate"], policy.get("provisioningType"))
        if changed & {"imageId", "imageType"}:
            image_name = self.check_image(policy["imageType"], policy["imageId"])
            if not policy.get("imageDisplayName"):
                policy["imageDisplayName"] = image_name
        if "domainJoinConfigurations" in changed:
            policy["domainJoinConfigurations"] = self.check_domain_join(policy.get("domainJoinConfigurations"))
        check_beta_rules(policy, changed)

    def check_image(self, image_type: str, image_id: str) -> str:
        """[resource] imageId: a supported gallery image for ``gallery``, a ready device image for ``custom``."""
        if image_type == "gallery":
            image = self.store.get("galleryImages", image_id)
            if image is None:
                raise BadRequest(GALLERY_IMAGE_NOT_FOUND_MSG.format(id=image_id))
            if image.get("status") == "notSupported":
                raise BadRequest(GALLERY_IMAGE_NOT_SUPPORTED_MSG.format(id=image_id))
            return str(image["displayName"])
        device = self.store.get("deviceImages", image_id)
        if device is None:
            raise BadRequest(DEVICE_IMAGE_NOT_FOUND_MSG.format(id=image_id))
        device = self.backend.entity_set("deviceImages").materialize(device)
        if device.get("status") != "ready":
            raise BadRequest(DEVICE_IMAGE_NOT_READY_MSG.format(id=image_id, status=device.get("status")))
        return str(device["displayName"])

    def check_domain_join(self, configs: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """[join]: at least one entry, each valid and naming an existing connection of its type."""
        if not configs:
            raise BadRequest(DOMAIN_JOIN_EMPTY_MSG)
        out = []
        for config in configs:
            join_type, connection_id, region = join_config(config)
            if connection_id is not None:
                self.check_connection(connection_id, join_type)
            out.append(
                {
                    "domainJoinType": join_type,
                    "onPremisesConnectionId": connection_id,
                    "regionGroup": config.get("regionGroup"),
                    "regionName": region,
                    "geographicLocationType": None,
                    "type": join_type,
                }
            )
        return out

    def check_connection(self, connection_id: str, join_type: str) -> None:
        """The connection must exist, and be of the entry's join type (assumption)."""
        connection = self.store.get("onPremisesConnections", connection_id)
        if connection is None:
            raise BadRequest(CONNECTION_NOT_FOUND_MSG.format(id=connection_id))
        if connection.get("connectionType") != join_type:
            raise BadRequest(
                CONNECTION_TYPE_MISMATCH_MSG.format(
                    id=connection_id, actual=connection.get("connectionType"), expected=join_type
                )
            )
