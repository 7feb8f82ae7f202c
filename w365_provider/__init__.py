"""Windows 365 Cloud PC provisioning as code: Pulumi resources over Microsoft Graph."""

from w365_provider.device_image import DeviceImage
from w365_provider.errors import ConfigurationError
from w365_provider.errors import GraphConflictError
from w365_provider.errors import GraphError
from w365_provider.errors import GraphNotFoundError
from w365_provider.errors import GraphThrottledError
from w365_provider.errors import GraphTransportError
from w365_provider.errors import HealthCheckFailedError
from w365_provider.errors import ImageFailedError
from w365_provider.errors import NoMatchingImageError
from w365_provider.errors import NoMatchingServicePlanError
from w365_provider.errors import ValidationError
from w365_provider.errors import W365Error
from w365_provider.gallery import GalleryImage
from w365_provider.gallery import get_gallery_image
from w365_provider.lookups.service_plans import FrontlineServicePlan
from w365_provider.lookups.service_plans import ServicePlan
from w365_provider.lookups.service_plans import get_frontline_service_plan
from w365_provider.lookups.service_plans import get_service_plan
from w365_provider.provisioning_policy import ProvisioningPolicy
from w365_provider.resources.network_connection import NetworkConnection
from w365_provider.resources.organization_settings import OrganizationSettings
from w365_provider.resources.user_setting import UserSetting
from w365_provider.settings import Settings

__all__ = [
    "ConfigurationError",
    "DeviceImage",
    "FrontlineServicePlan",
    "GalleryImage",
    "GraphConflictError",
    "GraphError",
    "GraphNotFoundError",
    "GraphThrottledError",
    "GraphTransportError",
    "ImageFailedError",
    "HealthCheckFailedError",
    "NetworkConnection",
    "NoMatchingImageError",
    "NoMatchingServicePlanError",
    "OrganizationSettings",
    "ProvisioningPolicy",
    "ServicePlan",
    "Settings",
    "ValidationError",
    "UserSetting",
    "W365Error",
    "get_frontline_service_plan",
    "get_gallery_image",
    "get_service_plan",
]
