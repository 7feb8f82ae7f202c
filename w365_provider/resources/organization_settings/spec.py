"""The table of the tenant's Windows 365 organization settings (one per tenant).

Graph (beta only): ``cloudPcOrganizationSettings`` at ``/deviceManagement/virtualEndpoint/organizationSettings``
(https://learn.microsoft.com/graph/api/resources/cloudpcorganizationsettings?view=graph-rest-beta,
https://learn.microsoft.com/graph/api/cloudpcorganizationsettings-get?view=graph-rest-beta,
https://learn.microsoft.com/graph/api/cloudpcorganizationsettings-update?view=graph-rest-beta).
"""

from __future__ import annotations

from typing import Any

from w365_provider.kit import BETA, Bool, Enum, Object, Property, Spec, Str
from w365_provider.kit.spec import Mutability
from w365_provider.resources.versions import raw_builder

__all__ = ["PATH", "SPEC"]

U = Mutability.UPDATABLE
BETA_ONLY = (BETA,)
PATH = "/deviceManagement/virtualEndpoint/organizationSettings"

WINDOWS_SETTINGS = Object(
    graph_type="cloudPcWindowsSettings",
    fields=(
        Property("language", "language",
                 Str(non_empty=True, expect="a language tag such as en-US", blank="must be a language tag such as en-US",
                     echo=True),
                 "Windows language of new Cloud PCs", required=True, versions=BETA_ONLY, note=", for example en-US"),
    ),
)  # fmt: skip


def _singleton(client: Any, _id: str = "") -> Any:
    return raw_builder(client, PATH, BETA, "{?%24select}")


SPEC = Spec(
    graph_type="cloudPcOrganizationSettings",
    noun="organization settings",
    plural="organization settings",
    short="settings",
    short_plural="settings",
    id_name="settings_id",
    id_label="Graph id of the tenant's organization settings",
    collection=_singleton,
    item=_singleton,
    filter_by_name=False,
    name_property="settings_id",
    admin_center="the Microsoft Intune admin center (Devices > Windows 365 > Settings)",
    properties=(
        Property("os_version", "osVersion", Enum(("windows10", "windows11"), "cloudPcOperatingSystem"),
                 "Operating system of Cloud PCs provisioned by default", U, versions=BETA_ONLY),
        Property("user_account_type", "userAccountType",
                 Enum(("standardUser", "administrator"), "cloudPcUserAccountType"),
                 "User account type: standard user or local administrator", U, versions=BETA_ONLY),
        Property("enable_single_sign_on", "enableSingleSignOn", Bool(), "Single sign-on by default", U,
                 versions=BETA_ONLY),
        Property("enable_mem_auto_enroll", "enableMEMAutoEnroll", Bool(),
                 "Enroll Cloud PCs in Microsoft Intune automatically", U, versions=BETA_ONLY),
        Property("windows_settings", "windowsSettings", WINDOWS_SETTINGS, "Windows language", U, versions=BETA_ONLY),
    ),
)  # fmt: skip
"""The organization settings' table; every property is beta's and changes in place."""
