"""The entity sets the emulator serves, one module each (moto's one-backend-per-service, per entity set).

To add an entity set: write ``entities/<name>.py`` with an :class:`~.base.EntitySet` subclass
(its type, its rules citing the Graph reference page, its routes) and list the class here.
The store gets a table of the same name; the URL tree gets its subtree.
"""

from __future__ import annotations

from .base import EntitySet
from .cloud_pcs import CloudPCs
from .device_images import DeviceImages
from .gallery_images import GalleryImages
from .groups import Groups
from .on_premises_connections import OnPremisesConnections
from .organization_settings import OrganizationSettings
from .provisioning_policies import ProvisioningPolicies
from .service_plans import FrontLineServicePlans, ServicePlans
from .subscribed_skus import SubscribedSkus
from .supported_regions import SupportedRegions
from .user_settings import UserSettings
from .users import Users

#: Every entity set, in table-creation and seeding order.
ENTITY_SETS: tuple[type[EntitySet], ...] = (
    ProvisioningPolicies,
    GalleryImages,
    DeviceImages,
    OnPremisesConnections,
    UserSettings,
    Groups,
    OrganizationSettings,
    SupportedRegions,
    # The people side (after Groups: the seeded people are members of the seeded groups).
    SubscribedSkus,
    ServicePlans,
    FrontLineServicePlans,
    CloudPCs,
    Users,
)
#: Store tables, one per entity set.
TABLES: tuple[str, ...] = tuple(cls.name for cls in ENTITY_SETS)

__all__ = ["ENTITY_SETS", "TABLES", "EntitySet"]
