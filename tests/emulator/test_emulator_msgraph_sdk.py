"""msgraph-sdk's GraphServiceClient pointed at the emulator: every response parses into its models."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from w365_provider.emulator import EmulatorProcess, models, seed

# msgraph's generated request builders warn about their own deprecated configuration classes.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class StaticTokenCredential:
    """A duck-typed azure-identity credential (msgraph-sdk-python.md §2)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)


def make_client(emu: EmulatorProcess) -> Any:
    from msgraph import GraphServiceClient

    client = GraphServiceClient(credentials=StaticTokenCredential(emu.token), scopes=["https://graph.microsoft.com/.default"])
    client.request_adapter.base_url = emu.graph_url  # no trailing slash
    return client


def test_sdk_create_get_expand_patch_assign_delete(emu: EmulatorProcess) -> None:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.device_management.virtual_endpoint.provisioning_policies.item.assign.assign_post_request_body import (
        AssignPostRequestBody,
    )
    from msgraph.generated.device_management.virtual_endpoint.provisioning_policies.item.cloud_pc_provisioning_policy_item_request_builder import (
        CloudPcProvisioningPolicyItemRequestBuilder,
    )
    from msgraph.generated.models.cloud_pc_domain_join_configuration import CloudPcDomainJoinConfiguration
    from msgraph.generated.models.cloud_pc_domain_join_type import CloudPcDomainJoinType
    from msgraph.generated.models.cloud_pc_management_group_assignment_target import CloudPcManagementGroupAssignmentTarget
    from msgraph.generated.models.cloud_pc_provisioning_policy import CloudPcProvisioningPolicy
    from msgraph.generated.models.cloud_pc_provisioning_policy_assignment import CloudPcProvisioningPolicyAssignment
    from msgraph.generated.models.cloud_pc_provisioning_policy_image_type import CloudPcProvisioningPolicyImageType
    from msgraph.generated.models.cloud_pc_provisioning_type import CloudPcProvisioningType
    from msgraph.generated.models.cloud_pc_windows_setting import CloudPcWindowsSetting
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    async def scenario() -> dict[str, Any]:
        client = make_client(emu)
        pp = client.device_management.virtual_endpoint.provisioning_policies
        created = await pp.post(
            CloudPcProvisioningPolicy(
                display_name="SDK policy",
                image_id=seed.GALLERY_WIN11_24H2_M365,
                image_type=CloudPcProvisioningPolicyImageType.Gallery,
                provisioning_type=CloudPcProvisioningType.Dedicated,
                domain_join_configurations=[
                    CloudPcDomainJoinConfiguration(
                        domain_join_type=CloudPcDomainJoinType.HybridAzureADJoin,
                        on_premises_connection_id=seed.CONNECTION_HYBRID_WEU,
                    )
                ],
                cloud_pc_naming_template="CPC-%USERNAME:4%-%RAND:5%",
                windows_setting=CloudPcWindowsSetting(locale="en-GB"),
            )
        )
        item = pp.by_cloud_pc_provisioning_policy_id(created.id)
        assigned = await item.assign.post(
            AssignPostRequestBody(
                assignments=[
                    CloudPcProvisioningPolicyAssignment(target=CloudPcManagementGroupAssignmentTarget(group_id=seed.GROUP_FINANCE))
                ]
            )
        )
        query = CloudPcProvisioningPolicyItemRequestBuilder.CloudPcProvisioningPolicyItemRequestBuilderGetQueryParameters(
            expand=["assignments"]
        )
        expanded = await item.get(request_configuration=RequestConfiguration(query_parameters=query))
        patched = await item.patch(CloudPcProvisioningPolicy(description="patched by the SDK"))
        after_patch = await item.get()
        with pytest.raises(ODataError) as in_use:
            await item.delete()
        await item.assign.post(AssignPostRequestBody(assignments=[]))
        deleted = await item.delete()
        with pytest.raises(ODataError) as missing:
            await item.get()
        return dict(created=created, assigned=assigned, expanded=expanded, patched=patched, after_patch=after_patch,
                    in_use=in_use.value, deleted=deleted, missing=missing.value)

    r = asyncio.run(scenario())
    created = r["created"]
    assert isinstance(created, CloudPcProvisioningPolicy) and created.id
    assert created.display_name == "SDK policy"
    assert created.image_type is CloudPcProvisioningPolicyImageType.Gallery
    assert created.provisioning_type is CloudPcProvisioningType.Dedicated
    assert created.image_display_name == "Windows 11 Enterprise + Microsoft 365 Apps 24H2"
    assert created.domain_join_configurations[0].domain_join_type is CloudPcDomainJoinType.HybridAzureADJoin
    assert created.windows_setting.locale == "en-GB"
    assert created.assignments is None
    assert r["assigned"] is None and r["patched"] is None and r["deleted"] is None

    expanded = r["expanded"]
    assert len(expanded.assignments) == 1
    assignment = expanded.assignments[0]
    assert isinstance(assignment, CloudPcProvisioningPolicyAssignment)
    assert assignment.id == f"{created.id}_{seed.GROUP_FINANCE}"
    assert isinstance(assignment.target, CloudPcManagementGroupAssignmentTarget)  # discriminator with '#'
    assert assignment.target.group_id == seed.GROUP_FINANCE
    assert r["after_patch"].description == "patched by the SDK"

    in_use = r["in_use"]
    assert in_use.response_status_code == 400
    assert in_use.error.code == "BadRequest"
    assert in_use.error.message == models.POLICY_IN_USE_MSG.format(id=created.id)
    assert in_use.error.inner_error.request_id
    assert r["missing"].response_status_code == 404 and r["missing"].error.code == "ResourceNotFound"

    methods = [(x["method"], x["status"]) for x in emu.requests()]
    assert methods == [("POST", 201), ("POST", 204), ("GET", 200), ("PATCH", 204), ("GET", 200), ("DELETE", 400),
                       ("POST", 204), ("DELETE", 204), ("GET", 404)]
    assert emu.requests()[2]["query"] == "$expand=assignments"


def test_sdk_lists_with_filter_select_and_next_links(emu: EmulatorProcess) -> None:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.device_management.virtual_endpoint.gallery_images.gallery_images_request_builder import (
        GalleryImagesRequestBuilder,
    )
    from msgraph.generated.models.cloud_pc_gallery_image_status import CloudPcGalleryImageStatus

    async def scenario() -> tuple[list[Any], Any]:
        client = make_client(emu)
        gallery = client.device_management.virtual_endpoint.gallery_images
        query = GalleryImagesRequestBuilder.GalleryImagesRequestBuilderGetQueryParameters(top=3)
        page = await gallery.get(request_configuration=RequestConfiguration(query_parameters=query))
        images = list(page.value)
        while page.odata_next_link:
            page = await gallery.with_url(page.odata_next_link).get()
            images.extend(page.value)
        query = GalleryImagesRequestBuilder.GalleryImagesRequestBuilderGetQueryParameters(
            filter="status eq 'supportedWithWarning'", select=["id", "displayName"]
        )
        filtered = await gallery.get(request_configuration=RequestConfiguration(query_parameters=query))
        return images, filtered

    images, filtered = asyncio.run(scenario())
    assert [i.id for i in images] == [i["id"] for i in seed.GALLERY_IMAGES]
    first = images[0]
    assert isinstance(first.start_date, dt.date) and first.status is CloudPcGalleryImageStatus.Supported
    assert first.size_in_g_b == 64
    assert {i.id for i in filtered.value} == {i["id"] for i in seed.GALLERY_IMAGES if i["status"] == "supportedWithWarning"}
    assert all(i.status is None for i in filtered.value)  # not selected


def test_sdk_retries_a_throttled_create_after_retry_after(emu: EmulatorProcess) -> None:
    from msgraph.generated.models.cloud_pc_domain_join_configuration import CloudPcDomainJoinConfiguration
    from msgraph.generated.models.cloud_pc_domain_join_type import CloudPcDomainJoinType
    from msgraph.generated.models.cloud_pc_provisioning_policy import CloudPcProvisioningPolicy
    from msgraph.generated.models.cloud_pc_provisioning_policy_image_type import CloudPcProvisioningPolicyImageType

    emu.set_faults([{"method": "POST", "path": "provisioningPolicies$", "status": 429, "retry_after": 1, "times": 1}])

    async def scenario() -> Any:
        client = make_client(emu)
        return await client.device_management.virtual_endpoint.provisioning_policies.post(
            CloudPcProvisioningPolicy(
                display_name="Throttled once",
                image_id=seed.GALLERY_WIN11_24H2_M365,
                image_type=CloudPcProvisioningPolicyImageType.Gallery,
                domain_join_configurations=[
                    CloudPcDomainJoinConfiguration(domain_join_type=CloudPcDomainJoinType.AzureADJoin, region_name="westeurope")
                ],
            )
        )

    started = time.monotonic()
    created = asyncio.run(scenario())
    assert created.display_name == "Throttled once"
    assert time.monotonic() - started >= 1.0  # honoured Retry-After
    assert [r["status"] for r in emu.requests()] == [429, 201]


def test_sdk_device_image_user_setting_and_connection_models(emu: EmulatorProcess) -> None:
    from msgraph.generated.device_management.virtual_endpoint.user_settings.item.assign.assign_post_request_body import (
        AssignPostRequestBody as UserSettingAssignBody,
    )
    from msgraph.generated.models.cloud_pc_device_image import CloudPcDeviceImage
    from msgraph.generated.models.cloud_pc_device_image_status import CloudPcDeviceImageStatus
    from msgraph.generated.models.cloud_pc_management_group_assignment_target import CloudPcManagementGroupAssignmentTarget
    from msgraph.generated.models.cloud_pc_on_premises_connection_status import CloudPcOnPremisesConnectionStatus
    from msgraph.generated.models.cloud_pc_user_setting import CloudPcUserSetting
    from msgraph.generated.models.cloud_pc_user_setting_assignment import CloudPcUserSettingAssignment

    async def scenario() -> dict[str, Any]:
        client = make_client(emu)
        ve = client.device_management.virtual_endpoint
        image = await ve.device_images.post(
            CloudPcDeviceImage(
                display_name="Golden",
                version="1.2.3",
                source_image_resource_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/golden",
            )
        )
        setting = await ve.user_settings.post(CloudPcUserSetting(display_name="Admins", local_admin_enabled=True))
        await ve.user_settings.by_cloud_pc_user_setting_id(setting.id).assign.post(
            UserSettingAssignBody(
                assignments=[CloudPcUserSettingAssignment(target=CloudPcManagementGroupAssignmentTarget(group_id=seed.GROUP_PILOT_USERS))]
            )
        )
        connection = await ve.on_premises_connections.by_cloud_pc_on_premises_connection_id(seed.CONNECTION_HYBRID_WEU).get()
        return dict(image=image, setting=setting, connection=connection)

    r = asyncio.run(scenario())
    assert r["image"].status is CloudPcDeviceImageStatus.Pending and r["image"].version == "1.2.3"
    assert r["setting"].local_admin_enabled is True and isinstance(r["setting"].created_date_time, dt.datetime)
    assert r["connection"].health_check_status is CloudPcOnPremisesConnectionStatus.Passed
    assert [x["status"] for x in emu.requests()] == [201, 201, 204, 200]
