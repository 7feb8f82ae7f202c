"""State and Graph rules of the emulator (moto's ``models.py``): schemas, validation, CRUD.

The routes only translate HTTP; everything Graph decides (which properties exist in which
version, defaults, what is refused and with which message) lives here. Every rule raises a
:mod:`errors` exception *before* anything is written. The rules are written from Graph's
documentation (see ``FIDELITY.md``), never imported from the provider.

Message constants are public so that tests can assert on them.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import seed
from .errors import BadRequest, DirectoryNotFound, GraphError, NotFound
from .store import TABLES, Store

V1 = "v1.0"
BETA = "beta"
VERSIONS = (V1, BETA)

# --------------------------------------------------------------------------- messages
# HTTP-level (routes)
SEGMENT_NOT_FOUND_MSG = "Resource not found for the segment '{segment}'."
INVALID_VERSION_MSG = "Invalid version: {version}"
METHOD_NOT_ALLOWED_MSG = "Specified HTTP method is not allowed for the request target."
TOKEN_MISSING_MSG = "Access token is empty."
TOKEN_INVALID_MSG = "Access token validation failure. Invalid audience."
READ_ONLY_TOKEN_MSG = "Insufficient privileges to complete the operation."
INVALID_JSON_MSG = (
    "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
)
# Query options
QUERY_OPTION_NOT_SUPPORTED_MSG = "Query option '{option}' is not supported on this resource."
QUERY_OPTION_REPEATED_MSG = (
    "Query option '{option}' was specified more than once, but it must be specified at most once."
)
FILTER_INVALID_MSG = "Invalid filter clause: {clause}"
PROPERTY_NOT_FOUND_MSG = "Could not find a property named '{name}' on type '{type}'."
TOP_INVALID_MSG = "Invalid page size specified: '{value}'. Must be between 1 and 999 inclusive."
SKIPTOKEN_INVALID_MSG = "The $skiptoken value '{value}' is not valid."
EXPAND_NOT_SUPPORTED_MSG = "Expanding '{name}' is not supported on type '{type}'."
# Payload shape (OData wording)
UNKNOWN_PROPERTY_MSG = (
    "The property '{name}' does not exist on type '{type}'. Make sure to only use property names that are "
    "defined by the type or mark the type as open type."
)
INVALID_VALUE_MSG = "Cannot convert the literal '{value}' to the expected type '{type}'."
NULL_NOT_ALLOWED_MSG = (
    "A null value was found for the property named '{name}', which has the expected type "
    "'{type}[Nullable=False]'. The expected type '{type}[Nullable=False]' does not allow null values."
)
ODATA_TYPE_MISMATCH_MSG = "The '@odata.type' value '{value}' is not valid here; expected '{expected}'."
UNKNOWN_PARAMETER_MSG = "The parameter '{name}' in the request payload is not a valid parameter for the operation '{action}'."
REQUIRED_PROPERTY_MSG = "The property '{name}' is required."
# Entities
NOT_FOUND_MSG = "No {type} was found with id '{id}'."
GROUP_NOT_FOUND_MSG = "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
# Provisioning policy rules
DISPLAY_NAME_CHARACTERS_MSG = "The display name can't contain any of these characters: < > & | \" ^"
DISPLAY_NAME_LENGTH_MSG = "The display name can't be longer than {max} characters."
NAMING_TEMPLATE_CHARACTERS_MSG = (
    "The Cloud PC naming template may only contain letters, numbers and hyphens (no blanks or underscores) "
    "outside the %USERNAME:X% and %RAND:Y% tokens."
)
NAMING_TEMPLATE_TOKEN_MSG = "The Cloud PC naming template contains an unknown or malformed token; use %USERNAME:X% or %RAND:Y%."
NAMING_TEMPLATE_TOKEN_REPEATED_MSG = "The Cloud PC naming template may contain each token at most once."
NAMING_TEMPLATE_RAND_REQUIRED_MSG = "The Cloud PC naming template must contain a %RAND:Y% token."
NAMING_TEMPLATE_RAND_MIN_MSG = "The %RAND:Y% token of the Cloud PC naming template needs Y of at least 5."
NAMING_TEMPLATE_PREFIX_MSG = "The fixed prefix of the Cloud PC naming template can't be longer than 10 characters."
NAMING_TEMPLATE_LENGTH_MSG = (
    "The Cloud PC naming template must produce names of 5 to 15 characters (tokens count by their length); "
    "this one produces {length}."
)
NAMING_TEMPLATE_USERNAME_MSG = "The %USERNAME:X% token is only allowed for dedicated provisioning policies."
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
PERSISTENCE_REQUIRES_SHARED_MSG = "userSettingsPersistenceConfiguration is only allowed with provisioningType sharedByEntraGroup."
AUTOPILOT_TIMEOUT_MSG = "applicationTimeoutInMinutes must be between 30 and 360."
POLICY_IN_USE_MSG = "The provisioning policy '{id}' is assigned; remove all its assignments before deleting it."
ASSIGNMENTS_NAV_UNSUPPORTED_MSG = (
    "Reading assignments through the navigation property is not supported; use $expand=assignments."
)
# Assignments
ASSIGNMENT_TARGET_REQUIRED_MSG = "Each assignment needs a target."
ASSIGNMENT_TARGET_TYPE_MSG = "Assignment target type '{value}' is not supported; use microsoft.graph.cloudPcManagementGroupAssignmentTarget."
ASSIGNMENT_DUPLICATE_GROUP_MSG = "The group '{id}' is assigned more than once."
ASSIGNMENT_GROUP_NOT_FOUND_MSG = "The group '{id}' does not exist."
SERVICE_PLAN_REQUIRED_MSG = "servicePlanId is required for assignments of a {type} provisioning policy."
# Device images
SOURCE_IMAGE_ID_MSG = (
    "sourceImageResourceId must have the form "
    "/subscriptions/{{subscriptionId}}/resourceGroups/{{resourceGroupName}}/providers/Microsoft.Compute/images/{{imageName}}."
)
IMAGE_VERSION_MSG = "The image version must have the form major.minor.patch, for example 0.0.1."
# Connections
CONNECTION_IN_USE_MSG = "The on-premises connection '{id}' is in use by a provisioning policy and can't be deleted."
HYBRID_CONNECTION_DOMAIN_MSG = "A hybridAzureADJoin connection requires {name}."

DISPLAY_NAME_MAX = 120
FORBIDDEN_NAME_CHARACTERS = '<>&|"^'
GROUP_TARGET_TYPE = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"


# --------------------------------------------------------------------------- schema types
@dataclass(frozen=True)
class EnumType:
    """A Graph enum; members after ``unknownFutureValue`` are evolvable (need the Prefer header)."""

    name: str
    v1: tuple[str, ...]
    beta_extra: tuple[str, ...] = ()

    def members(self, version: str) -> tuple[str, ...]:
        return self.v1 + self.beta_extra if version == BETA else self.v1


@dataclass(frozen=True)
class Prop:
    """One property. ``kind``: string, bool, int, enum, strings, object, collection."""

    kind: str
    enum: EnumType | None = None
    fields: Mapping[str, Prop] | None = None  # object / collection item properties; None = free-form
    type_name: str = ""  # complex type name, for messages
    beta: bool = False  # only in beta
    read_only: bool = False  # ignored on input
    nullable: bool = True
    write_only: bool = False  # never returned
    select_only: bool = False  # returned only when named in $select


@dataclass(frozen=True)
class EntityType:
    name: str
    props: Mapping[str, Prop]
    navigation: tuple[str, ...] = ()

    def props_for(self, version: str) -> dict[str, Prop]:
        return {k: p for k, p in self.props.items() if version == BETA or not p.beta}


def _s(**kw: Any) -> Prop:
    return Prop("string", **kw)


def _b(**kw: Any) -> Prop:
    return Prop("bool", **kw)


def _i(**kw: Any) -> Prop:
    return Prop("int", **kw)


def _e(enum: EnumType, **kw: Any) -> Prop:
    return Prop("enum", enum=enum, **kw)


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
GALLERY_STATUS = EnumType(
    "microsoft.graph.cloudPcGalleryImageStatus", ("supported", "supportedWithWarning", "notSupported", "unknownFutureValue")
)
DEVICE_IMAGE_STATUS = EnumType("microsoft.graph.cloudPcDeviceImageStatus", ("pending", "ready", "failed", "unknownFutureValue"))
DEVICE_IMAGE_ERROR = EnumType(
    "microsoft.graph.cloudPcDeviceImageErrorCode",
    ("internalServerError", "sourceImageNotFound", "osVersionNotSupported", "sourceImageInvalid",
     "sourceImageNotGeneralized", "unknownFutureValue", "vmAlreadyAzureAdjoined", "paidSourceImageNotSupport",
     "sourceImageNotSupportCustomizeVMName", "sourceImageSizeExceedsLimitation"),
)
DEVICE_IMAGE_OS_STATUS = EnumType(
    "microsoft.graph.cloudPcDeviceImageOsStatus", ("supported", "supportedWithWarning", "unknown", "unknownFutureValue")
)
CONNECTION_TYPE = EnumType(
    "microsoft.graph.cloudPcOnPremisesConnectionType", ("hybridAzureADJoin", "azureADJoin", "unknownFutureValue")
)
CONNECTION_STATUS = EnumType(
    "microsoft.graph.cloudPcOnPremisesConnectionStatus",
    ("pending", "running", "passed", "failed", "warning", "informational", "unknownFutureValue"),
)
RESTORE_FREQUENCY = EnumType(
    "microsoft.graph.cloudPcRestorePointFrequencyType",
    ("default", "fourHours", "sixHours", "twelveHours", "sixteenHours", "twentyFourHours", "unknownFutureValue"),
)
PROVISIONING_SOURCE_TYPE = EnumType("microsoft.graph.cloudPcProvisioningSourceType", (), ("image", "snapshot", "unknownFutureValue"))

DOMAIN_JOIN_FIELDS: dict[str, Prop] = {
    "domainJoinType": _e(DOMAIN_JOIN_TYPE),
    "onPremisesConnectionId": _s(),
    "regionGroup": _e(REGION_GROUP),
    "regionName": _s(),
    "geographicLocationType": _e(GEOGRAPHIC_LOCATION_TYPE, beta=True, read_only=True),
    "type": _e(DOMAIN_JOIN_TYPE, beta=True),  # deprecated alias of domainJoinType
}
GROUP_TARGET_FIELDS: dict[str, Prop] = {
    "groupId": _s(),
    "servicePlanId": _s(),
    "allotmentDisplayName": _s(beta=True),
    "allotmentLicensesCount": _i(beta=True),
}
_TARGET = Prop("object", fields=GROUP_TARGET_FIELDS, type_name="microsoft.graph.cloudPcManagementGroupAssignmentTarget")

POLICY_ASSIGNMENT = EntityType(
    "microsoft.graph.cloudPcProvisioningPolicyAssignment", {"id": _s(read_only=True), "target": _TARGET}
)
USER_SETTING_ASSIGNMENT = EntityType(
    "microsoft.graph.cloudPcUserSettingAssignment",
    {"id": _s(read_only=True), "createdDateTime": _s(read_only=True), "target": _TARGET},
)

POLICY = EntityType(
    "microsoft.graph.cloudPcProvisioningPolicy",
    {
        "id": _s(read_only=True),
        "displayName": _s(nullable=False),
        "description": _s(),
        "imageId": _s(nullable=False),
        "imageDisplayName": _s(nullable=False),
        "imageType": _e(IMAGE_TYPE, nullable=False),
        "domainJoinConfigurations": Prop(
            "collection", fields=DOMAIN_JOIN_FIELDS, type_name="microsoft.graph.cloudPcDomainJoinConfiguration"
        ),
        "provisioningType": _e(PROVISIONING_TYPE),
        "cloudPcNamingTemplate": _s(),
        "enableSingleSignOn": _b(),
        "windowsSetting": Prop("object", fields={"locale": _s()}, type_name="microsoft.graph.cloudPcWindowsSetting"),
        "microsoftManagedDesktop": Prop(
            "object",
            fields={"managedType": _e(MANAGED_DESKTOP_TYPE), "profile": _s()},
            type_name="microsoft.graph.microsoftManagedDesktop",
        ),
        "autopatch": Prop(
            "object", fields={"autopatchGroupId": _s()}, type_name="microsoft.graph.cloudPcProvisioningPolicyAutopatch"
        ),
        "localAdminEnabled": _b(),
        "gracePeriodInHours": _i(read_only=True),
        "cloudPcGroupDisplayName": _s(read_only=True),
        "alternateResourceUrl": _s(read_only=True),
        # beta only
        "managedBy": _e(MANAGED_BY, beta=True),
        "userExperienceType": _e(USER_EXPERIENCE_TYPE, beta=True),
        "autopilotConfiguration": Prop(
            "object",
            beta=True,
            fields={"devicePreparationProfileId": _s(), "applicationTimeoutInMinutes": _i(), "onFailureDeviceAccessDenied": _b()},
            type_name="microsoft.graph.cloudPcAutopilotConfiguration",
        ),
        "userSettingsPersistenceConfiguration": Prop(
            "object",
            beta=True,
            fields={
                "userSettingsPersistenceEnabled": _b(),
                "userSettingsPersistenceStorageSizeCategory": _e(STORAGE_SIZE_CATEGORY),
            },
            type_name="microsoft.graph.cloudPcUserSettingsPersistenceConfiguration",
        ),
        "scopeIds": Prop("strings", beta=True),
        "snapshotResetMode": _e(SNAPSHOT_RESET_MODE, beta=True),
        "createdBy": _s(beta=True, read_only=True),
        "createdDateTime": _s(beta=True, read_only=True),
        "lastModifiedBy": _s(beta=True, read_only=True),
        "lastModifiedDateTime": _s(beta=True, read_only=True),
    },
    navigation=("assignments",),
)

GALLERY_IMAGE = EntityType(
    "microsoft.graph.cloudPcGalleryImage",
    {
        "id": _s(read_only=True),
        "displayName": _s(read_only=True),
        "publisherName": _s(read_only=True),
        "offerName": _s(read_only=True),
        "skuName": _s(read_only=True),
        "osVersionNumber": _s(read_only=True),
        "sizeInGB": _i(read_only=True),
        "startDate": _s(read_only=True),
        "endDate": _s(read_only=True),
        "expirationDate": _s(read_only=True),
        "status": _e(GALLERY_STATUS, read_only=True),
    },
)

DEVICE_IMAGE = EntityType(
    "microsoft.graph.cloudPcDeviceImage",
    {
        "id": _s(read_only=True),
        "displayName": _s(nullable=False),
        "version": _s(nullable=False),
        "sourceImageResourceId": _s(nullable=False),
        "status": _e(DEVICE_IMAGE_STATUS, read_only=True),
        "errorCode": _e(DEVICE_IMAGE_ERROR, read_only=True),
        "expirationDate": _s(read_only=True),
        "lastModifiedDateTime": _s(read_only=True),
        "operatingSystem": _s(read_only=True),
        "osBuildNumber": _s(read_only=True),
        "osStatus": _e(DEVICE_IMAGE_OS_STATUS, read_only=True),
        "osVersionNumber": _s(read_only=True),
        "sizeInGB": _i(read_only=True),
        "scopeIds": Prop("strings", beta=True),
    },
)

CONNECTION = EntityType(
    "microsoft.graph.cloudPcOnPremisesConnection",
    {
        "id": _s(read_only=True),
        "displayName": _s(nullable=False),
        "connectionType": _e(CONNECTION_TYPE),
        "subscriptionId": _s(nullable=False),
        "subscriptionName": _s(read_only=True),
        "resourceGroupId": _s(nullable=False),
        "virtualNetworkId": _s(nullable=False),
        "virtualNetworkLocation": _s(read_only=True),
        "subnetId": _s(nullable=False),
        "adDomainName": _s(),
        "adDomainUsername": _s(),
        "adDomainPassword": _s(write_only=True),
        "organizationalUnit": _s(),
        "healthCheckStatus": _e(CONNECTION_STATUS, read_only=True),
        "healthCheckStatusDetail": Prop("object", read_only=True, select_only=True),
        "healthCheckPaused": _b(read_only=True),
        "inUse": _b(read_only=True, select_only=True),
        "inUseByCloudPc": _b(read_only=True),
        "alternateResourceUrl": _s(read_only=True),
        "scopeIds": Prop("strings"),
    },
)

USER_SETTING = EntityType(
    "microsoft.graph.cloudPcUserSetting",
    {
        "id": _s(read_only=True),
        "displayName": _s(nullable=False),
        "localAdminEnabled": _b(),
        "resetEnabled": _b(),
        "restorePointSetting": Prop(
            "object",
            fields={"frequencyType": _e(RESTORE_FREQUENCY), "userRestoreEnabled": _b(), "frequencyInHours": _i(beta=True)},
            type_name="microsoft.graph.cloudPcRestorePointSetting",
        ),
        "createdDateTime": _s(read_only=True),
        "lastModifiedDateTime": _s(read_only=True),
        "selfServiceEnabled": _b(beta=True),
        "crossRegionDisasterRecoverySetting": Prop("object", beta=True),
        "notificationSetting": Prop(
            "object", beta=True, fields={"restartPromptsDisabled": _b()}, type_name="microsoft.graph.cloudPcNotificationSetting"
        ),
        "provisioningSourceType": _e(PROVISIONING_SOURCE_TYPE, beta=True),
    },
    navigation=("assignments",),
)

GROUP = EntityType(
    "microsoft.graph.group",
    {
        "id": _s(read_only=True),
        "displayName": _s(nullable=False),
        "description": _s(),
        "mailEnabled": _b(),
        "mailNickname": _s(),
        "securityEnabled": _b(),
        "groupTypes": Prop("strings"),
        "visibility": _s(),
        "isAssignableToRole": _b(),
        "createdDateTime": _s(read_only=True),
    },
)

#: Entity set (URL segment and table) → entity type.
ENTITY_TYPES: dict[str, EntityType] = {
    "provisioningPolicies": POLICY,
    "galleryImages": GALLERY_IMAGE,
    "deviceImages": DEVICE_IMAGE,
    "onPremisesConnections": CONNECTION,
    "userSettings": USER_SETTING,
    "groups": GROUP,
}
_ASSIGNMENT_TYPES = {"provisioningPolicies": POLICY_ASSIGNMENT, "userSettings": USER_SETTING_ASSIGNMENT}

_EDM = {"string": "Edm.String", "bool": "Edm.Boolean", "int": "Edm.Int32", "strings": "Collection(Edm.String)"}


# --------------------------------------------------------------------------- payload checks
def _type_label(prop: Prop) -> str:
    if prop.kind == "enum" and prop.enum is not None:
        return prop.enum.name
    if prop.kind == "collection":
        return f"Collection({prop.type_name})"
    return prop.type_name or _EDM.get(prop.kind, "Edm.Untyped")


def _literal(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def check_value(name: str, prop: Prop, value: Any, version: str) -> Any:
    """Check one input value against its property; return the normalised value."""
    if value is None:
        if not prop.nullable:
            raise BadRequest(NULL_NOT_ALLOWED_MSG.format(name=name, type=_type_label(prop)))
        return None
    bad = BadRequest(INVALID_VALUE_MSG.format(value=_literal(value), type=_type_label(prop)))
    if prop.kind == "string":
        if not isinstance(value, str):
            raise bad
    elif prop.kind == "bool":
        if not isinstance(value, bool):
            raise bad
    elif prop.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
    elif prop.kind == "enum":
        assert prop.enum is not None
        if not isinstance(value, str) or value not in prop.enum.members(version) or value == "unknownFutureValue":
            raise bad
    elif prop.kind == "strings":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad
    elif prop.kind == "object":
        if not isinstance(value, dict):
            raise bad
        return check_object(prop, value, version)
    elif prop.kind == "collection":
        if not isinstance(value, list):
            raise bad
        return [check_value(name, Prop("object", fields=prop.fields, type_name=prop.type_name), v, version) for v in value]
    return value


def check_object(prop: Prop, value: dict[str, Any], version: str) -> dict[str, Any]:
    """Check a complex value; unknown keys are refused, ``@odata.*`` annotations dropped."""
    if prop.fields is None:
        return dict(value)
    allowed = {k: p for k, p in prop.fields.items() if version == BETA or not p.beta}
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key.startswith("@odata."):
            continue
        if key not in allowed:
            raise BadRequest(UNKNOWN_PROPERTY_MSG.format(name=key, type=prop.type_name))
        if allowed[key].read_only:
            continue
        out[key] = check_value(key, allowed[key], item, version)
    return out


def check_odata_type(body: Mapping[str, Any], expected: str) -> None:
    """An ``@odata.type`` annotation, when sent, must name ``expected`` (``#`` optional, any case)."""
    value = body.get("@odata.type")
    if value is None:
        return
    if not isinstance(value, str) or value.lstrip("#").lower() != expected.lstrip("#").lower():
        raise BadRequest(ODATA_TYPE_MISMATCH_MSG.format(value=value, expected=expected))


def writable_properties(etype: EntityType, body: Any, version: str) -> dict[str, Any]:
    """The writable properties of a create/update body; read-only ones are ignored."""
    if not isinstance(body, dict):
        raise BadRequest(INVALID_JSON_MSG)
    check_odata_type(body, "#" + etype.name)
    props = etype.props_for(version)
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key.startswith("@odata.") or key in etype.navigation:
            continue
        if key not in props:
            raise BadRequest(UNKNOWN_PROPERTY_MSG.format(name=key, type=etype.name))
        if props[key].read_only:
            continue
        out[key] = check_value(key, props[key], value, version)
    return out


def require(data: Mapping[str, Any], names: Iterable[str]) -> None:
    for name in names:
        if name not in data or data[name] == "":
            raise BadRequest(REQUIRED_PROPERTY_MSG.format(name=name))


# --------------------------------------------------------------------------- pure Graph rules
def check_display_name(name: str) -> None:
    """Windows 365 admin docs: a policy name can't contain < > & | " ^ (length limit: assumption)."""
    if any(ch in FORBIDDEN_NAME_CHARACTERS for ch in name):
        raise BadRequest(DISPLAY_NAME_CHARACTERS_MSG)
    if len(name) > DISPLAY_NAME_MAX:
        raise BadRequest(DISPLAY_NAME_LENGTH_MSG.format(max=DISPLAY_NAME_MAX))


_TOKEN_RE = re.compile(r"%(USERNAME|RAND):(\d+)%")
_NAME_CHAR_RE = re.compile(r"[A-Za-z0-9-]")


def check_naming_template(template: str, provisioning_type: str | None) -> None:
    """Cloud PC naming template rules (graph-w365-api.md §4)."""
    literal, pos = 0, 0
    prefix: int | None = None
    rand: list[int] = []
    username: list[int] = []
    while pos < len(template):
        if template[pos] == "%":
            match = _TOKEN_RE.match(template, pos)
            if match is None:
                raise BadRequest(NAMING_TEMPLATE_TOKEN_MSG)
            if prefix is None:
                prefix = literal
            (rand if match.group(1) == "RAND" else username).append(int(match.group(2)))
            pos = match.end()
            continue
        if not _NAME_CHAR_RE.fullmatch(template[pos]):
            raise BadRequest(NAMING_TEMPLATE_CHARACTERS_MSG)
        literal += 1
        pos += 1
    if len(rand) > 1 or len(username) > 1:
        raise BadRequest(NAMING_TEMPLATE_TOKEN_REPEATED_MSG)
    if not rand:
        raise BadRequest(NAMING_TEMPLATE_RAND_REQUIRED_MSG)
    if rand[0] < 5:
        raise BadRequest(NAMING_TEMPLATE_RAND_MIN_MSG)
    if username and username[0] < 1:
        raise BadRequest(NAMING_TEMPLATE_TOKEN_MSG)
    if username and (provisioning_type or "dedicated") != "dedicated":
        raise BadRequest(NAMING_TEMPLATE_USERNAME_MSG)
    if (prefix if prefix is not None else literal) > 10:
        raise BadRequest(NAMING_TEMPLATE_PREFIX_MSG)
    length = literal + sum(rand) + sum(username)
    if not 5 <= length <= 15:
        raise BadRequest(NAMING_TEMPLATE_LENGTH_MSG.format(length=length))


_SOURCE_IMAGE_RE = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/"
    r"(images/[^/]+|galleries/[^/]+/images/[^/]+(/versions/[^/]+)?)$",
    re.IGNORECASE,
)
_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")


def device_image_outcome(source_image_resource_id: str) -> str:
    """``ready``, or the errorCode the upload fails with, decided by words in the source id."""
    source = source_image_resource_id.lower()
    if "notgeneralized" in source:
        return "sourceImageNotGeneralized"
    if "notfound" in source:
        return "sourceImageNotFound"
    if "unsupportedos" in source:
        return "osVersionNotSupported"
    if "fail" in source or "invalid" in source:
        return "sourceImageInvalid"
    return "ready"


# --------------------------------------------------------------------------- rendering
def _render_enum(enum: EnumType, value: Any, version: str, include_unknown: bool) -> Any:
    if value is None:
        return None
    members = enum.members(version)
    if value not in members:
        return "unknownFutureValue"
    if "unknownFutureValue" in members and members.index(value) > members.index("unknownFutureValue") and not include_unknown:
        return "unknownFutureValue"
    return value


def _render_value(prop: Prop, value: Any, version: str, include_unknown: bool) -> Any:
    if prop.write_only:
        return None
    if value is None:
        return None
    if prop.kind == "enum":
        assert prop.enum is not None
        return _render_enum(prop.enum, value, version, include_unknown)
    if prop.kind == "object" and prop.fields is not None and isinstance(value, dict):
        return _render_fields(prop.fields, value, version, include_unknown)
    if prop.kind == "collection" and prop.fields is not None and isinstance(value, list):
        return [_render_fields(prop.fields, v, version, include_unknown) for v in value]
    return value


def _render_fields(fields: Mapping[str, Prop], value: dict[str, Any], version: str, include_unknown: bool) -> dict[str, Any]:
    out = {k: v for k, v in value.items() if k.startswith("@odata.")}
    for key, prop in fields.items():
        if prop.beta and version != BETA:
            continue
        out[key] = _render_value(prop, value.get(key), version, include_unknown)
    return out


def render(
    entity_set: str,
    entity: Mapping[str, Any],
    *,
    version: str,
    include_unknown: bool = False,
    select: list[str] | None = None,
    expand: Iterable[str] = (),
) -> dict[str, Any]:
    """The wire form of a stored entity for ``version``.

    Beta-only properties are dropped on v1.0; enum members a version doesn't know, and evolvable
    members without ``Prefer: include-unknown-enum-members``, become ``unknownFutureValue``;
    navigation properties appear only when expanded; ``$select`` always keeps ``id``.
    """
    etype = ENTITY_TYPES[entity_set]
    props = etype.props_for(version)
    if select is None:
        names = [k for k, p in props.items() if not p.select_only]
    else:
        names = ["id"] + [n for n in select if n != "id" and n in props]
    out = {name: _render_value(props[name], entity.get(name), version, include_unknown) for name in names}
    for nav in expand:
        atype = _ASSIGNMENT_TYPES[entity_set]
        out[nav] = [_render_fields(atype.props, a, version, include_unknown) for a in entity.get(nav) or []]
    return out


def select_names(entity_set: str, version: str) -> set[str]:
    """Property names ``$select`` accepts for an entity set."""
    etype = ENTITY_TYPES[entity_set]
    return set(etype.props_for(version)) | set(etype.navigation)


def filter_names(entity_set: str, version: str) -> set[str]:
    """Primitive properties ``$filter`` may compare with ``eq``."""
    props = ENTITY_TYPES[entity_set].props_for(version)
    return {k for k, p in props.items() if p.kind in ("string", "bool", "int", "enum") and not p.write_only}


# --------------------------------------------------------------------------- backend
def now_iso(ts: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if ts is None else ts, tz=timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _nickname(display_name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", display_name).strip("-").lower()
    return slug[:64] or "group"


@dataclass
class GraphBackend:
    """All entity sets of one emulator instance, persisted in ``store``."""

    store: Store
    image_ready_seconds: float = 3.0
    clock: Callable[[], float] = field(default=time.time)

    # ----------------------------------------------------------------- lifecycle
    def seed(self) -> None:
        """Write the catalogue; connections and groups only once per database."""
        with self.store.transaction():
            for image in seed.GALLERY_IMAGES:
                self.store.upsert("galleryImages", dict(image))
            if self.store.get_meta("seeded") is None:
                self._seed_mutable()
                self.store.set_meta("seeded", now_iso(self.clock()))

    def _seed_mutable(self) -> None:
        for conn in seed.ON_PREMISES_CONNECTIONS:
            self.store.upsert("onPremisesConnections", dict(conn))
        for group in seed.GROUPS:
            self.store.upsert("groups", dict(group))

    def reset(self) -> None:
        """Empty every entity set, then restore the seeded catalogue."""
        with self.store.transaction():
            for table in TABLES:
                self.store.clear(table)
            for image in seed.GALLERY_IMAGES:
                self.store.upsert("galleryImages", dict(image))
            self._seed_mutable()

    # ----------------------------------------------------------------- generic reads
    def list(self, entity_set: str) -> list[dict[str, Any]]:
        with self.store.transaction():
            entities = self.store.list(entity_set)
            return [self._materialize(entity_set, e) for e in entities]

    def get(self, entity_set: str, entity_id: str) -> dict[str, Any]:
        with self.store.transaction():
            return self._materialize(entity_set, self._require(entity_set, entity_id))

    def _require(self, entity_set: str, entity_id: str) -> dict[str, Any]:
        entity = self.store.get(entity_set, entity_id)
        if entity is None:
            raise self._not_found(entity_set, entity_id)
        return entity

    @staticmethod
    def _not_found(entity_set: str, entity_id: str) -> GraphError:
        if entity_set == "groups":
            return DirectoryNotFound(GROUP_NOT_FOUND_MSG.format(id=entity_id))
        type_name = ENTITY_TYPES[entity_set].name.rsplit(".", 1)[-1]
        return NotFound(NOT_FOUND_MSG.format(type=type_name, id=entity_id))

    def _materialize(self, entity_set: str, entity: dict[str, Any]) -> dict[str, Any]:
        """Apply time-based transitions (image upload, health check) and computed fields."""
        now = self.clock()
        if entity_set == "deviceImages" and entity.get("status") == "pending" and now >= entity.get("_settleAt", 0):
            outcome = entity.get("_outcome", "ready")
            entity["lastModifiedDateTime"] = now_iso(entity.get("_settleAt"))
            if outcome == "ready":
                entity.update(
                    status="ready",
                    operatingSystem="Windows 11 Enterprise",
                    osBuildNumber="24H2",
                    osVersionNumber="10.0.26100.7171",
                    osStatus="supported",
                    sizeInGB=64,
                    expirationDate="2028-04-12",
                )
            else:
                entity.update(status="failed", errorCode=outcome)
        if entity_set == "onPremisesConnections":
            if entity.get("healthCheckStatus") in ("pending", "running") and now >= entity.get("_settleAt", 0):
                entity["healthCheckStatus"] = "passed"
                entity["healthCheckStatusDetail"] = {
                    "startDateTime": now_iso(entity.get("_checkStartedAt", now)),
                    "endDateTime": now_iso(entity.get("_settleAt", now)),
                    "healthChecks": [],
                }
            entity["inUse"] = self._connection_in_use(entity["id"])
        return entity

    # ----------------------------------------------------------------- provisioning policies
    def create_policy(self, body: Any, version: str) -> dict[str, Any]:
        data = writable_properties(POLICY, body, version)
        require(data, ("displayName", "imageId", "imageType", "domainJoinConfigurations"))
        now = now_iso(self.clock())
        policy: dict[str, Any] = {
            "id": str(uuid.uuid4()),
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
            "createdDateTime": now,
            "lastModifiedDateTime": now,
            **data,
            "assignments": [],
        }
        with self.store.transaction():
            self._check_policy(policy, set(policy), version)
            return self.store.insert("provisioningPolicies", policy)

    def update_policy(self, policy_id: str, body: Any, version: str) -> None:
        data = writable_properties(POLICY, body, version)
        with self.store.transaction():
            current = self._require("provisioningPolicies", policy_id)
            for name in ("provisioningType", "userExperienceType"):
                if name in data and data[name] != current.get(name):
                    raise BadRequest(IMMUTABLE_PROPERTY_MSG.format(name=name))
            merged = {**current, **data}
            if ("imageId" in data or "imageType" in data) and "imageDisplayName" not in data:
                merged["imageDisplayName"] = None  # refilled from the image by _check_policy
            self._check_policy(merged, set(data), version)
            merged["lastModifiedDateTime"] = now_iso(self.clock())
            self.store.update("provisioningPolicies", merged)

    def delete_policy(self, policy_id: str) -> None:
        with self.store.transaction():
            policy = self._require("provisioningPolicies", policy_id)
            if policy.get("assignments"):
                raise BadRequest(POLICY_IN_USE_MSG.format(id=policy["id"]))
            self.store.delete("provisioningPolicies", policy_id)

    def assign_policy(self, policy_id: str, body: Any, version: str) -> None:
        with self.store.transaction():
            policy = self._require("provisioningPolicies", policy_id)
            targets = self._assignment_targets(body, version)
            provisioning_type = policy.get("provisioningType") or "dedicated"
            if provisioning_type != "dedicated":
                for target in targets:
                    if not target.get("servicePlanId"):
                        raise BadRequest(SERVICE_PLAN_REQUIRED_MSG.format(type=provisioning_type))
            policy["assignments"] = [{"id": f"{policy['id']}_{t['groupId']}", "target": t} for t in targets]
            self.store.update("provisioningPolicies", policy)

    def _check_policy(self, policy: dict[str, Any], changed: set[str], version: str) -> None:
        """Every cross-property rule of a provisioning policy, for the properties that changed."""
        if "displayName" in changed:
            check_display_name(policy["displayName"])
        if changed & {"cloudPcNamingTemplate", "provisioningType"} and policy.get("cloudPcNamingTemplate") is not None:
            check_naming_template(policy["cloudPcNamingTemplate"], policy.get("provisioningType"))
        if changed & {"imageId", "imageType"}:
            image_name = self._check_image(policy["imageType"], policy["imageId"])
            if not policy.get("imageDisplayName"):
                policy["imageDisplayName"] = image_name
        if "domainJoinConfigurations" in changed:
            policy["domainJoinConfigurations"] = self._check_domain_join(policy.get("domainJoinConfigurations"))
        provisioning_type = policy.get("provisioningType")
        if changed & {"userExperienceType", "provisioningType"} and policy.get("userExperienceType") == "cloudApp":
            if provisioning_type != "sharedByEntraGroup":
                raise BadRequest(CLOUD_APP_REQUIRES_SHARED_MSG)
        if changed & {"userSettingsPersistenceConfiguration", "provisioningType"}:
            if policy.get("userSettingsPersistenceConfiguration") and provisioning_type != "sharedByEntraGroup":
                raise BadRequest(PERSISTENCE_REQUIRES_SHARED_MSG)
        autopilot = policy.get("autopilotConfiguration")
        if "autopilotConfiguration" in changed and autopilot:
            timeout = autopilot.get("applicationTimeoutInMinutes")
            if timeout is not None and not 30 <= timeout <= 360:
                raise BadRequest(AUTOPILOT_TIMEOUT_MSG)

    def _check_image(self, image_type: str, image_id: str) -> str:
        """The image must exist: a gallery image for ``gallery``, a ready device image for ``custom``."""
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
        device = self._materialize("deviceImages", device)
        if device.get("status") != "ready":
            raise BadRequest(DEVICE_IMAGE_NOT_READY_MSG.format(id=image_id, status=device.get("status")))
        return str(device["displayName"])

    def _check_domain_join(self, configs: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """Domain-join combinations (graph-w365-api.md §3.1); returns the normalised list."""
        if not configs:
            raise BadRequest(DOMAIN_JOIN_EMPTY_MSG)
        out = []
        for config in configs:
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
            if connection_id is not None:
                connection = self.store.get("onPremisesConnections", connection_id)
                if connection is None:
                    raise BadRequest(CONNECTION_NOT_FOUND_MSG.format(id=connection_id))
                if connection.get("connectionType") != join_type:
                    raise BadRequest(
                        CONNECTION_TYPE_MISMATCH_MSG.format(
                            id=connection_id, actual=connection.get("connectionType"), expected=join_type
                        )
                    )
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

    def _assignment_targets(self, body: Any, version: str) -> list[dict[str, Any]]:
        """Parse an ``assign`` body into group targets; every group must exist, once."""
        if not isinstance(body, dict):
            raise BadRequest(INVALID_JSON_MSG)
        for key in body:
            if key != "assignments" and not key.startswith("@odata."):
                raise BadRequest(UNKNOWN_PARAMETER_MSG.format(name=key, action="assign"))
        if "assignments" not in body:
            raise BadRequest(REQUIRED_PROPERTY_MSG.format(name="assignments"))
        assignments = body["assignments"]
        if not isinstance(assignments, list):
            raise BadRequest(INVALID_VALUE_MSG.format(value=assignments, type="Collection(microsoft.graph.cloudPcProvisioningPolicyAssignment)"))
        targets: list[dict[str, Any]] = []
        seen: set[str] = set()
        for assignment in assignments:
            if not isinstance(assignment, dict):
                raise BadRequest(INVALID_VALUE_MSG.format(value=assignment, type="microsoft.graph.cloudPcProvisioningPolicyAssignment"))
            for key in assignment:
                if key not in ("id", "target") and not key.startswith("@odata."):
                    raise BadRequest(UNKNOWN_PROPERTY_MSG.format(name=key, type=POLICY_ASSIGNMENT.name))
            raw = assignment.get("target")
            if not isinstance(raw, dict):
                raise BadRequest(ASSIGNMENT_TARGET_REQUIRED_MSG)
            odata_type = raw.get("@odata.type")
            if odata_type is not None and (
                not isinstance(odata_type, str) or odata_type.lstrip("#").lower() != GROUP_TARGET_TYPE.lstrip("#").lower()
            ):
                raise BadRequest(ASSIGNMENT_TARGET_TYPE_MSG.format(value=odata_type))
            target = check_object(_TARGET, raw, version)
            group_id = target.get("groupId")
            if not group_id:
                raise BadRequest(REQUIRED_PROPERTY_MSG.format(name="groupId"))
            group = self.store.get("groups", group_id)
            if group is None:
                raise BadRequest(ASSIGNMENT_GROUP_NOT_FOUND_MSG.format(id=group_id))
            if group["id"].lower() in seen:
                raise BadRequest(ASSIGNMENT_DUPLICATE_GROUP_MSG.format(id=group_id))
            seen.add(group["id"].lower())
            targets.append(
                {
                    "@odata.type": GROUP_TARGET_TYPE,
                    "groupId": group["id"],
                    "servicePlanId": target.get("servicePlanId"),
                    "allotmentDisplayName": target.get("allotmentDisplayName"),
                    "allotmentLicensesCount": target.get("allotmentLicensesCount"),
                }
            )
        return targets

    # ----------------------------------------------------------------- device images
    def create_device_image(self, body: Any, version: str) -> dict[str, Any]:
        data = writable_properties(DEVICE_IMAGE, body, version)
        require(data, ("displayName", "version", "sourceImageResourceId"))
        if not _VERSION_RE.match(data["version"]):
            raise BadRequest(IMAGE_VERSION_MSG)
        if not _SOURCE_IMAGE_RE.match(data["sourceImageResourceId"]):
            raise BadRequest(SOURCE_IMAGE_ID_MSG)
        now = self.clock()
        image = {
            "id": str(uuid.uuid4()),
            **data,
            "status": "pending",
            "errorCode": None,
            "expirationDate": None,
            "lastModifiedDateTime": now_iso(now),
            "operatingSystem": None,
            "osBuildNumber": None,
            "osStatus": None,
            "osVersionNumber": None,
            "sizeInGB": None,
            "scopeIds": data.get("scopeIds") or ["0"],
            "_settleAt": now + self.image_ready_seconds,
            "_outcome": device_image_outcome(data["sourceImageResourceId"]),
        }
        with self.store.transaction():
            return self._materialize("deviceImages", self.store.insert("deviceImages", image))

    def delete_device_image(self, image_id: str) -> None:
        with self.store.transaction():
            self._require("deviceImages", image_id)
            self.store.delete("deviceImages", image_id)

    # ----------------------------------------------------------------- on-premises connections
    def create_connection(self, body: Any, version: str) -> dict[str, Any]:
        data = writable_properties(CONNECTION, body, version)
        require(data, ("displayName", "subscriptionId", "resourceGroupId", "virtualNetworkId", "subnetId"))
        now = self.clock()
        connection: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "connectionType": "hybridAzureADJoin",
            "subscriptionName": "Emulated subscription",
            "virtualNetworkLocation": None,
            "adDomainName": None,
            "adDomainUsername": None,
            "organizationalUnit": None,
            "healthCheckStatus": "pending",
            "healthCheckStatusDetail": None,
            "healthCheckPaused": False,
            "inUseByCloudPc": False,
            "alternateResourceUrl": None,
            "scopeIds": ["0"],
            **data,
            "_checkStartedAt": now,
            "_settleAt": now + self.image_ready_seconds,
        }
        self._check_connection(connection)
        with self.store.transaction():
            return self._materialize("onPremisesConnections", self.store.insert("onPremisesConnections", connection))

    def update_connection(self, connection_id: str, body: Any, version: str) -> None:
        data = writable_properties(CONNECTION, body, version)
        with self.store.transaction():
            merged = {**self._require("onPremisesConnections", connection_id), **data}
            self._check_connection(merged)
            self.store.update("onPremisesConnections", merged)

    def run_health_checks(self, connection_id: str) -> None:
        with self.store.transaction():
            connection = self._require("onPremisesConnections", connection_id)
            now = self.clock()
            connection.update(healthCheckStatus="running", _checkStartedAt=now, _settleAt=now + self.image_ready_seconds)
            self.store.update("onPremisesConnections", connection)

    def delete_connection(self, connection_id: str) -> None:
        with self.store.transaction():
            connection = self._require("onPremisesConnections", connection_id)
            if self._connection_in_use(connection["id"]):
                raise BadRequest(CONNECTION_IN_USE_MSG.format(id=connection["id"]))
            self.store.delete("onPremisesConnections", connection_id)

    @staticmethod
    def _check_connection(connection: Mapping[str, Any]) -> None:
        if connection.get("connectionType") == "hybridAzureADJoin":
            for name in ("adDomainName", "adDomainUsername", "adDomainPassword"):
                if not connection.get(name):
                    raise BadRequest(HYBRID_CONNECTION_DOMAIN_MSG.format(name=name))

    def _connection_in_use(self, connection_id: str) -> bool:
        wanted = connection_id.lower()
        for policy in self.store.list("provisioningPolicies"):
            for config in policy.get("domainJoinConfigurations") or []:
                if (config.get("onPremisesConnectionId") or "").lower() == wanted:
                    return True
        return False

    # ----------------------------------------------------------------- user settings
    def create_user_setting(self, body: Any, version: str) -> dict[str, Any]:
        data = writable_properties(USER_SETTING, body, version)
        require(data, ("displayName",))
        now = now_iso(self.clock())
        setting: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "localAdminEnabled": False,
            "resetEnabled": False,
            "restorePointSetting": {"frequencyType": "default", "userRestoreEnabled": False},
            "createdDateTime": now,
            "lastModifiedDateTime": now,
            **data,
            "assignments": [],
        }
        with self.store.transaction():
            return self.store.insert("userSettings", setting)

    def update_user_setting(self, setting_id: str, body: Any, version: str) -> None:
        data = writable_properties(USER_SETTING, body, version)
        with self.store.transaction():
            merged = {**self._require("userSettings", setting_id), **data}
            merged["lastModifiedDateTime"] = now_iso(self.clock())
            self.store.update("userSettings", merged)

    def delete_user_setting(self, setting_id: str) -> None:
        with self.store.transaction():
            self._require("userSettings", setting_id)
            self.store.delete("userSettings", setting_id)

    def assign_user_setting(self, setting_id: str, body: Any, version: str) -> None:
        with self.store.transaction():
            setting = self._require("userSettings", setting_id)
            targets = self._assignment_targets(body, version)
            now = now_iso(self.clock())
            setting["assignments"] = [
                {"id": f"{setting['id']}_{t['groupId']}", "createdDateTime": now, "target": t} for t in targets
            ]
            self.store.update("userSettings", setting)

    # ----------------------------------------------------------------- groups
    def create_group(self, body: Any, version: str) -> dict[str, Any]:
        data = writable_properties(GROUP, body, version)
        require(data, ("displayName",))
        group = {
            "id": str(uuid.uuid4()),
            "description": None,
            "mailEnabled": False,
            "mailNickname": _nickname(data["displayName"]),
            "securityEnabled": True,
            "groupTypes": [],
            "visibility": None,
            "isAssignableToRole": False,
            "createdDateTime": now_iso(self.clock()),
            **data,
        }
        with self.store.transaction():
            return self.store.insert("groups", group)

    def delete_group(self, group_id: str) -> None:
        with self.store.transaction():
            self._require("groups", group_id)
            self.store.delete("groups", group_id)
