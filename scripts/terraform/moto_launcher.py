"""Starts moto (5.2.1) with the AWS APIs these stacks need that moto lacks, added in-process.

Usage: python3 moto_launcher.py -H 127.0.0.1 -p PORT   (the arguments of `moto_server`)

Every addition below emulates what the real API answers for the calls the Terraform AWS provider
(5.100.0) makes: create, describe/list (what it reads back), update and delete, with the same
error types (a missing resource answers 404 ResourceNotFoundException, so `destroy` and the
provider's waiters end). Nothing is stubbed to "always succeed": each resource is stored, read
back from the store, and removed on delete, so the harness's leftover check sees real state.

- CloudWatch Logs: PutQueryDefinition, DescribeQueryDefinitions, DeleteQueryDefinition.
- EKS: add-ons (Create/Describe/Update/Delete/ListAddons, DescribeUpdate), access entries,
  access policy associations, Pod Identity associations (also those an add-on creates);
  DescribeCluster returns a real CA certificate (base64 PEM), the cluster security group (a real EC2 security group in the cluster's
  VPC, deleted with the cluster), the VPC id, accessConfig and upgradePolicy; a managed node
  group gets a real Auto Scaling group (no instances: desired 0) that DescribeNodegroup names and
  that is deleted with it, reports no remoteAccess unless one was set, and keeps updateConfig.
- Managed Prometheus: alert manager definitions, scrapers, and the workspace's kmsKeyArn.
- CodeBuild: projects keep and return every field the provider sends (moto keeps a few), plus
  UpdateProject and webhooks (Create/Update/DeleteWebhook, returned by BatchGetProjects).
- EC2: DescribeSecurityGroupRules returns the description of a rule that references a group.

Run by scripts/terraform/moto.ts; see docs/real-terraform.md.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import uuid
from typing import Any

import moto
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random as random

EXPECTED_MOTO = "5.2.1"

# One lock for the stores added here: moto's server is threaded.
_LOCK = threading.RLock()


def _short_id(prefix: str, length: int = 17) -> str:
    return prefix + random.get_random_string(length=length, lower_case=True)


# --------------------------------------------------------------------------------------------
# CloudWatch Logs: query definitions
# --------------------------------------------------------------------------------------------


def patch_logs() -> None:
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.responses import LogsResponse

    def store(response: LogsResponse) -> dict[str, dict[str, Any]]:
        backend = response.logs_backend
        if not hasattr(backend, "emulated_query_definitions"):
            backend.emulated_query_definitions = {}
        return backend.emulated_query_definitions

    def put_query_definition(self: LogsResponse) -> str:
        definition_id = self._get_param("queryDefinitionId") or str(uuid.uuid4())
        with _LOCK:
            definitions = store(self)
            if self._get_param("queryDefinitionId") and definition_id not in definitions:
                raise ResourceNotFoundException("The query definition does not exist")
            definitions[definition_id] = {
                "queryDefinitionId": definition_id,
                "name": self._get_param("name"),
                "queryString": self._get_param("queryString"),
                "logGroupNames": self._get_param("logGroupNames") or [],
                "lastModified": int(utcnow().timestamp() * 1000),
            }
        return json.dumps({"queryDefinitionId": definition_id})

    def describe_query_definitions(self: LogsResponse) -> str:
        prefix = self._get_param("queryDefinitionNamePrefix") or ""
        with _LOCK:
            found = [
                d for d in store(self).values() if str(d["name"]).startswith(prefix)
            ]
        # One page: the harness's stacks hold a handful.
        return json.dumps({"queryDefinitions": found})

    def delete_query_definition(self: LogsResponse) -> str:
        definition_id = self._get_param("queryDefinitionId")
        with _LOCK:
            if store(self).pop(definition_id, None) is None:
                raise ResourceNotFoundException("The query definition does not exist")
        return json.dumps({"success": True})

    LogsResponse.put_query_definition = put_query_definition
    LogsResponse.describe_query_definitions = describe_query_definitions
    LogsResponse.delete_query_definition = delete_query_definition


# --------------------------------------------------------------------------------------------
# EKS
# --------------------------------------------------------------------------------------------


def cluster_ca(cluster_name: str) -> str:
    """A self-signed CA certificate, base64-encoded PEM, as EKS returns for a cluster."""
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
    now = utcnow()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(f"{cluster_name}.emulated.eks")]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    return base64.b64encode(pem).decode("ascii")


def patch_eks() -> None:
    from moto.autoscaling.models import autoscaling_backends
    from moto.ec2.models import ec2_backends
    from moto.eks import urls
    from moto.eks.exceptions import ResourceInUseException, ResourceNotFoundException
    from moto.eks.models import EKSBackend
    from moto.eks.responses import EKSResponse

    cluster_path = "{0}/clusters/(?P<name>[^/]+)"
    for suffix in [
        "/addons$",
        "/addons/(?P<addonName>[^/]+)$",
        "/addons/(?P<addonName>[^/]+)/update$",
        "/updates/(?P<updateId>[^/]+)$",
        "/access-entries$",
        # Principal and policy ARNs arrive URL-encoded, but the server decodes `%2F`.
        "/access-entries/(?P<principalArn>.+)/access-policies/(?P<policyArn>.+)$",
        "/access-entries/(?P<principalArn>.+)/access-policies$",
        "/access-entries/(?P<principalArn>.+)$",
        "/pod-identity-associations$",
        "/pod-identity-associations/(?P<associationId>[^/]+)$",
    ]:
        urls.url_paths[cluster_path + suffix] = urls.response.dispatch

    def not_found(message: str) -> ResourceNotFoundException:
        return ResourceNotFoundException(
            clusterName=None,
            nodegroupName=None,
            fargateProfileName=None,
            addonName=None,
            message=message,
        )

    def in_use(message: str) -> ResourceInUseException:
        return ResourceInUseException(
            clusterName=None, nodegroupName=None, addonName=None, message=message
        )

    def extras(cluster: Any) -> dict[str, Any]:
        if not hasattr(cluster, "emulated"):
            cluster.emulated = {
                "addons": {},
                "access_entries": {},
                "pod_identity_associations": {},
            }
        return cluster.emulated

    def cluster_of(response: EKSResponse) -> Any:
        return response.eks_backend.describe_cluster(name=response._get_param("name"))

    def arn(response: EKSResponse, kind: str, *parts: str) -> str:
        backend = response.eks_backend
        return (
            f"arn:{backend.partition}:eks:{backend.region_name}:{backend.account_id}:"
            f"{kind}/{'/'.join(parts)}"
        )

    def tag_store(backend: EKSBackend) -> dict[str, dict[str, str]]:
        if not hasattr(backend, "emulated_tags"):
            backend.emulated_tags = {}
        return backend.emulated_tags

    # ---- cluster: security group, VPC id, access config, upgrade policy ----

    original_create_cluster = EKSResponse.create_cluster
    original_delete_cluster = EKSBackend.delete_cluster

    def create_cluster(self: EKSResponse) -> ActionResult:
        result = original_create_cluster(self)
        cluster = self.eks_backend.clusters[self._get_param("name")]
        # moto's CA is 1,400 random characters; the workloads stack base64-decodes a PEM.
        cluster.certificate_authority = {"data": cluster_ca(cluster.name)}
        access = self._get_param("accessConfig") or {}
        cluster.access_config = {
            "authenticationMode": access.get("authenticationMode", "CONFIG_MAP"),
            "bootstrapClusterCreatorAdminPermissions": access.get(
                "bootstrapClusterCreatorAdminPermissions", True
            ),
        }
        cluster.upgrade_policy = self._get_param("upgradePolicy") or {
            "supportType": "EXTENDED"
        }
        vpc_config = cluster.resources_vpc_config
        subnets = vpc_config.get("subnetIds") or []
        if subnets:
            ec2 = ec2_backends[self.current_account][self.region]
            vpc_id = ec2.get_subnet(subnets[0]).vpc_id
            group = ec2.create_security_group(
                name=f"eks-cluster-sg-{cluster.name}-{random.get_random_string(10)}",
                description="EKS created security group applied to ENI that is attached "
                "to EKS Control Plane master nodes, as well as any managed workloads.",
                vpc_id=vpc_id,
                tags={
                    "Name": f"eks-cluster-sg-{cluster.name}",
                    "aws:eks:cluster-name": cluster.name,
                    f"kubernetes.io/cluster/{cluster.name}": "owned",
                },
            )
            vpc_config["vpcId"] = vpc_id
            vpc_config["clusterSecurityGroupId"] = group.id
            vpc_config.setdefault("securityGroupIds", [])
        return result

    def delete_cluster(self: EKSBackend, name: str) -> Any:
        cluster = original_delete_cluster(self, name)
        group_id = cluster.resources_vpc_config.get("clusterSecurityGroupId")
        if group_id:
            ec2_backends[self.account_id][self.region_name].delete_security_group(
                group_id=group_id
            )
        for item in extras(cluster)["pod_identity_associations"].values():
            tag_store(self).pop(item["associationArn"], None)
        return cluster

    EKSResponse.create_cluster = create_cluster
    EKSBackend.delete_cluster = delete_cluster

    # ---- node groups: a real Auto Scaling group, remoteAccess and updateConfig as set ----

    original_create_nodegroup = EKSResponse.create_nodegroup
    original_delete_nodegroup = EKSBackend.delete_nodegroup

    def create_nodegroup(self: EKSResponse) -> ActionResult:
        result = original_create_nodegroup(self)
        cluster = self.eks_backend.clusters[self._get_param("name")]
        nodegroup = cluster.nodegroups[self._get_param("nodegroupName")]
        nodegroup.remote_access = self._get_param("remoteAccess")
        nodegroup.update_config = self._get_param("updateConfig") or {"maxUnavailable": 1}
        template = nodegroup.launch_template or {}
        group_name = f"eks-{nodegroup.nodegroup_name}-{nodegroup.uuid}"
        tags = {
            **(nodegroup.tags or {}),
            "eks:cluster-name": cluster.name,
            "eks:nodegroup-name": nodegroup.nodegroup_name,
            f"kubernetes.io/cluster/{cluster.name}": "owned",
        }
        autoscaling_backends[self.current_account][self.region].create_auto_scaling_group(
            name=group_name,
            availability_zones=[],
            # No instances: nothing here runs them, and the emulator has no AMIs.
            desired_capacity=0,
            min_size=0,
            max_size=(nodegroup.scaling_config or {}).get("maxSize", 1),
            launch_config_name="",
            launch_template=(
                {"LaunchTemplateId": template["id"], "Version": str(template.get("version"))}
                if template.get("id")
                else {}
            ),
            instance_id=None,
            mixed_instances_policy=None,
            vpc_zone_identifier=",".join(nodegroup.subnets or []),
            default_cooldown=None,
            health_check_period=None,
            health_check_type="EC2",
            load_balancers=[],
            target_group_arns=[],
            placement_group=None,
            termination_policies=[],
            tags=[
                {
                    "ResourceId": group_name,
                    "ResourceType": "auto-scaling-group",
                    "Key": key,
                    "Value": value,
                    "PropagateAtLaunch": True,
                }
                for key, value in tags.items()
            ],
        )
        nodegroup.resources["autoScalingGroups"] = [{"name": group_name}]
        # Real node groups report a remote-access group only when remote access is set.
        if not nodegroup.remote_access:
            nodegroup.resources.pop("remoteAccessSecurityGroup", None)
        return result

    def delete_nodegroup(self: EKSBackend, cluster_name: str, nodegroup_name: str) -> Any:
        nodegroup = original_delete_nodegroup(self, cluster_name, nodegroup_name)
        autoscaling = autoscaling_backends[self.account_id][self.region_name]
        for group in nodegroup.resources.get("autoScalingGroups", []):
            if group["name"] in autoscaling.autoscaling_groups:
                autoscaling.delete_auto_scaling_group(group["name"])
        return nodegroup

    EKSResponse.create_nodegroup = create_nodegroup
    EKSBackend.delete_nodegroup = delete_nodegroup

    # ---- Pod Identity associations ----

    def new_association(
        self: EKSResponse,
        cluster: Any,
        namespace: str,
        service_account: str,
        role_arn: str,
        tags: dict[str, str] | None,
        owner_arn: str | None = None,
    ) -> dict[str, Any]:
        associations = extras(cluster)["pod_identity_associations"]
        for existing in associations.values():
            if (
                existing["namespace"] == namespace
                and existing["serviceAccount"] == service_account
            ):
                raise in_use(
                    f"Association already exists for {namespace}/{service_account}"
                )
        association_id = _short_id("a-")
        now = utcnow()
        item: dict[str, Any] = {
            "clusterName": cluster.name,
            "namespace": namespace,
            "serviceAccount": service_account,
            "roleArn": role_arn,
            "associationArn": arn(
                self, "podidentityassociation", cluster.name, association_id
            ),
            "associationId": association_id,
            "tags": dict(tags or {}),
            "createdAt": now,
            "modifiedAt": now,
            "disableSessionTags": False,
        }
        if owner_arn:
            item["ownerArn"] = owner_arn
        associations[association_id] = item
        tag_store(self.eks_backend)[item["associationArn"]] = item["tags"]
        return item

    def association_of(self: EKSResponse) -> dict[str, Any]:
        cluster = cluster_of(self)
        association_id = self._get_param("associationId")
        item = extras(cluster)["pod_identity_associations"].get(association_id)
        if item is None:
            raise not_found(f"Association {association_id} not found.")
        return item

    def create_pod_identity_association(self: EKSResponse) -> ActionResult:
        with _LOCK:
            item = new_association(
                self,
                cluster_of(self),
                self._get_param("namespace"),
                self._get_param("serviceAccount"),
                self._get_param("roleArn"),
                self._get_param("tags"),
            )
        return ActionResult({"association": item})

    def describe_pod_identity_association(self: EKSResponse) -> ActionResult:
        with _LOCK:
            return ActionResult({"association": association_of(self)})

    def update_pod_identity_association(self: EKSResponse) -> ActionResult:
        with _LOCK:
            item = association_of(self)
            if self._get_param("roleArn"):
                item["roleArn"] = self._get_param("roleArn")
            item["modifiedAt"] = utcnow()
        return ActionResult({"association": item})

    def delete_pod_identity_association(self: EKSResponse) -> ActionResult:
        with _LOCK:
            item = association_of(self)
            if item.get("ownerArn"):
                raise in_use("The association is owned by an add-on")
            del extras(cluster_of(self))["pod_identity_associations"][item["associationId"]]
            tag_store(self.eks_backend).pop(item["associationArn"], None)
        return ActionResult({"association": item})

    def list_pod_identity_associations(self: EKSResponse) -> ActionResult:
        with _LOCK:
            items = list(extras(cluster_of(self))["pod_identity_associations"].values())
        namespace = self._get_param("namespace")
        account = self._get_param("serviceAccount")
        summaries = [
            {
                k: v
                for k, v in i.items()
                if k
                in (
                    "clusterName",
                    "namespace",
                    "serviceAccount",
                    "associationArn",
                    "associationId",
                    "ownerArn",
                )
            }
            for i in items
            if (not namespace or i["namespace"] == namespace)
            and (not account or i["serviceAccount"] == account)
        ]
        return ActionResult({"associations": summaries})

    # ---- add-ons ----

    # The namespace each add-on's service accounts live in (Pod Identity associations).
    addon_namespaces = {"amazon-cloudwatch-observability": "amazon-cloudwatch"}

    def addon_of(self: EKSResponse) -> dict[str, Any]:
        cluster = cluster_of(self)
        name = self._get_param("addonName")
        addon = extras(cluster)["addons"].get(name)
        if addon is None:
            raise not_found(f"No addon: {name} found in cluster: {cluster.name}")
        return addon

    def set_addon_associations(
        self: EKSResponse, cluster: Any, addon: dict[str, Any], wanted: list[dict[str, str]]
    ) -> None:
        associations = extras(cluster)["pod_identity_associations"]
        for association_arn in addon.get("podIdentityAssociations", []):
            association_id = association_arn.split("/")[-1]
            associations.pop(association_id, None)
            tag_store(self.eks_backend).pop(association_arn, None)
        namespace = addon_namespaces.get(addon["addonName"], "kube-system")
        addon["podIdentityAssociations"] = [
            new_association(
                self,
                cluster,
                namespace,
                pia["serviceAccount"],
                pia["roleArn"],
                {},
                owner_arn=addon["addonArn"],
            )["associationArn"]
            for pia in wanted
        ]

    def create_addon(self: EKSResponse) -> ActionResult:
        with _LOCK:
            cluster = cluster_of(self)
            name = self._get_param("addonName")
            addons = extras(cluster)["addons"]
            if name in addons:
                raise in_use(f"Addon already exists with name: {name}")
            now = utcnow()
            addon: dict[str, Any] = {
                "addonName": name,
                "clusterName": cluster.name,
                "status": "ACTIVE",
                "addonVersion": self._get_param("addonVersion") or "v1.0.0-eksbuild.1",
                "health": {"issues": []},
                "addonArn": arn(self, "addon", cluster.name, name, str(random.uuid4())),
                "createdAt": now,
                "modifiedAt": now,
                "tags": dict(self._get_param("tags") or {}),
                "configurationValues": self._get_param("configurationValues") or "",
                "podIdentityAssociations": [],
            }
            if self._get_param("serviceAccountRoleArn"):
                addon["serviceAccountRoleArn"] = self._get_param("serviceAccountRoleArn")
            set_addon_associations(
                self, cluster, addon, self._get_param("podIdentityAssociations") or []
            )
            addons[name] = addon
            tag_store(self.eks_backend)[addon["addonArn"]] = addon["tags"]
        return ActionResult({"addon": addon})

    def describe_addon(self: EKSResponse) -> ActionResult:
        with _LOCK:
            return ActionResult({"addon": addon_of(self)})

    def update_addon(self: EKSResponse) -> ActionResult:
        with _LOCK:
            addon = addon_of(self)
            params = []
            for key in ("addonVersion", "configurationValues", "serviceAccountRoleArn"):
                value = self._get_param(key)
                if value is not None:
                    addon[key] = value
                    params.append({"type": key[0].upper() + key[1:], "value": str(value)})
            wanted = self._get_param("podIdentityAssociations")
            if wanted is not None:
                set_addon_associations(self, cluster_of(self), addon, wanted)
            addon["modifiedAt"] = utcnow()
        return ActionResult({"update": successful_update("AddonUpdate", params)})

    def delete_addon(self: EKSResponse) -> ActionResult:
        with _LOCK:
            addon = addon_of(self)
            cluster = cluster_of(self)
            for association_arn in addon["podIdentityAssociations"]:
                extras(cluster)["pod_identity_associations"].pop(
                    association_arn.split("/")[-1], None
                )
                tag_store(self.eks_backend).pop(association_arn, None)
            del extras(cluster)["addons"][addon["addonName"]]
            tag_store(self.eks_backend).pop(addon["addonArn"], None)
        return ActionResult({"addon": {**addon, "status": "DELETING"}})

    def list_addons(self: EKSResponse) -> ActionResult:
        with _LOCK:
            return ActionResult({"addons": sorted(extras(cluster_of(self))["addons"])})

    def successful_update(kind: str, params: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "id": str(random.uuid4()),
            "status": "Successful",
            "type": kind,
            "params": params,
            "createdAt": utcnow(),
            "errors": [],
        }

    def describe_update(self: EKSResponse) -> ActionResult:
        # Every update here completes at once (moto applies changes synchronously).
        cluster_of(self)
        return ActionResult(
            {
                "update": {
                    "id": self._get_param("updateId"),
                    "status": "Successful",
                    "type": "ConfigUpdate",
                    "params": [],
                    "createdAt": utcnow(),
                    "errors": [],
                }
            }
        )

    # ---- access entries and access policies ----

    def entry_of(self: EKSResponse) -> dict[str, Any]:
        cluster = cluster_of(self)
        principal = self._get_param("principalArn")
        entry = extras(cluster)["access_entries"].get(principal)
        if entry is None:
            raise not_found(
                f"The specified principalArn could not be found. "
                f"You can view your available access entries with 'list-access-entries'. "
                f"({principal})"
            )
        return entry

    def create_access_entry(self: EKSResponse) -> ActionResult:
        with _LOCK:
            cluster = cluster_of(self)
            principal = self._get_param("principalArn")
            entries = extras(cluster)["access_entries"]
            if principal in entries:
                raise in_use(f"The specified access entry resource is already in use ({principal})")
            role = principal.split(":")[-1]
            account = principal.split(":")[4]
            username = (
                f"arn:{self.eks_backend.partition}:sts::{account}:assumed-role/"
                f"{role.split('/')[-1]}/{{{{SessionName}}}}"
                if role.startswith("role/")
                else principal
            )
            now = utcnow()
            entry = {
                "clusterName": cluster.name,
                "principalArn": principal,
                "kubernetesGroups": self._get_param("kubernetesGroups") or [],
                "accessEntryArn": arn(
                    self,
                    "access-entry",
                    cluster.name,
                    role.split("/")[0],
                    account,
                    role.split("/")[-1],
                    str(random.uuid4()),
                ),
                "createdAt": now,
                "modifiedAt": now,
                "tags": dict(self._get_param("tags") or {}),
                "username": self._get_param("username") or username,
                "type": self._get_param("type") or "STANDARD",
                "policies": {},
            }
            entries[principal] = entry
            tag_store(self.eks_backend)[entry["accessEntryArn"]] = entry["tags"]
        return ActionResult({"accessEntry": entry})

    def describe_access_entry(self: EKSResponse) -> ActionResult:
        with _LOCK:
            return ActionResult({"accessEntry": entry_of(self)})

    def update_access_entry(self: EKSResponse) -> ActionResult:
        with _LOCK:
            entry = entry_of(self)
            for key in ("kubernetesGroups", "username"):
                if self._get_param(key) is not None:
                    entry[key] = self._get_param(key)
            entry["modifiedAt"] = utcnow()
        return ActionResult({"accessEntry": entry})

    def delete_access_entry(self: EKSResponse) -> ActionResult:
        with _LOCK:
            entry = entry_of(self)
            del extras(cluster_of(self))["access_entries"][entry["principalArn"]]
            tag_store(self.eks_backend).pop(entry["accessEntryArn"], None)
        return EmptyResult()

    def list_access_entries(self: EKSResponse) -> ActionResult:
        with _LOCK:
            return ActionResult(
                {"accessEntries": sorted(extras(cluster_of(self))["access_entries"])}
            )

    def associate_access_policy(self: EKSResponse) -> ActionResult:
        with _LOCK:
            entry = entry_of(self)
            now = utcnow()
            policy_arn = self._get_param("policyArn")
            scope = self._get_param("accessScope") or {"type": "cluster"}
            scope.setdefault("namespaces", [])
            previous = entry["policies"].get(policy_arn)
            policy = {
                "policyArn": policy_arn,
                "accessScope": scope,
                "associatedAt": previous["associatedAt"] if previous else now,
                "modifiedAt": now,
            }
            entry["policies"][policy_arn] = policy
        return ActionResult(
            {
                "clusterName": entry["clusterName"],
                "principalArn": entry["principalArn"],
                "associatedAccessPolicy": policy,
            }
        )

    def list_associated_access_policies(self: EKSResponse) -> ActionResult:
        with _LOCK:
            entry = entry_of(self)
            return ActionResult(
                {
                    "clusterName": entry["clusterName"],
                    "principalArn": entry["principalArn"],
                    "associatedAccessPolicies": list(entry["policies"].values()),
                }
            )

    def disassociate_access_policy(self: EKSResponse) -> ActionResult:
        with _LOCK:
            entry = entry_of(self)
            policy_arn = self._get_param("policyArn")
            if entry["policies"].pop(policy_arn, None) is None:
                raise not_found(f"The policy {policy_arn} is not associated")
        return EmptyResult()

    # ---- tags of the resources added here ----

    original_tag = EKSBackend.tag_resource
    original_untag = EKSBackend.untag_resource
    original_list_tags = EKSBackend.list_tags_for_resource

    def tag_resource(self: EKSBackend, resource_arn: str, tags: dict[str, str]) -> None:
        with _LOCK:
            if resource_arn in tag_store(self):
                tag_store(self)[resource_arn].update(tags)
                return
        original_tag(self, resource_arn, tags)

    def untag_resource(self: EKSBackend, resource_arn: str, tag_keys: list[str]) -> None:
        with _LOCK:
            if resource_arn in tag_store(self):
                keys = tag_keys if isinstance(tag_keys, list) else [tag_keys]
                for key in keys:
                    tag_store(self)[resource_arn].pop(key, None)
                return
        original_untag(self, resource_arn, tag_keys)

    def list_tags_for_resource(self: EKSBackend, resource_arn: str) -> dict[str, str]:
        with _LOCK:
            if resource_arn in tag_store(self):
                return tag_store(self)[resource_arn]
        return original_list_tags(self, resource_arn)

    EKSBackend.tag_resource = tag_resource
    EKSBackend.untag_resource = untag_resource
    EKSBackend.list_tags_for_resource = list_tags_for_resource

    for handler in [
        create_pod_identity_association,
        describe_pod_identity_association,
        update_pod_identity_association,
        delete_pod_identity_association,
        list_pod_identity_associations,
        create_addon,
        describe_addon,
        update_addon,
        delete_addon,
        list_addons,
        describe_update,
        create_access_entry,
        describe_access_entry,
        update_access_entry,
        delete_access_entry,
        list_access_entries,
        associate_access_policy,
        list_associated_access_policies,
        disassociate_access_policy,
    ]:
        setattr(EKSResponse, handler.__name__, handler)


# --------------------------------------------------------------------------------------------
# Managed Prometheus
# --------------------------------------------------------------------------------------------


def patch_amp() -> None:
    from moto.amp import urls
    from moto.amp.models import PrometheusServiceBackend, Workspace
    from moto.amp.responses import PrometheusServiceResponse
    from moto.core.exceptions import JsonRESTError

    class NotFound(JsonRESTError):
        code = 404

        def __init__(self, message: str) -> None:
            super().__init__("ResourceNotFoundException", message)

    dispatch = PrometheusServiceResponse.dispatch
    urls.url_paths["{0}/workspaces/(?P<workspace_id>[^/]+)/alertmanager/definition$"] = dispatch
    urls.url_paths["{0}/scrapers$"] = dispatch
    urls.url_paths["{0}/scrapers/(?P<scraper_id>[^/]+)$"] = dispatch

    # The workspace's customer managed key: moto drops it.
    original_create_workspace = PrometheusServiceResponse.create_workspace
    original_to_dict = Workspace.to_dict

    def create_workspace(self: PrometheusServiceResponse) -> str:
        answer = json.loads(original_create_workspace(self))
        key = json.loads(self.body).get("kmsKeyArn")
        if key:
            workspace = self.amp_backend.workspaces[answer["workspaceId"]]
            workspace.kms_key_arn = key
            answer["kmsKeyArn"] = key
        return json.dumps(answer)

    def to_dict(self: Workspace) -> dict[str, Any]:
        answer = original_to_dict(self)
        if getattr(self, "kms_key_arn", None):
            answer["kmsKeyArn"] = self.kms_key_arn
        return answer

    PrometheusServiceResponse.create_workspace = create_workspace
    Workspace.to_dict = to_dict

    def workspace_of(self: PrometheusServiceResponse) -> Workspace:
        workspace_id = self.path.split("/")[2]
        return self.amp_backend.describe_workspace(workspace_id=workspace_id)

    def create_alert_manager_definition(self: PrometheusServiceResponse) -> str:
        with _LOCK:
            workspace = workspace_of(self)
            if getattr(workspace, "alert_manager", None):
                raise JsonRESTError("ConflictException", "Alert manager definition exists")
            now = utcnow().timestamp()
            workspace.alert_manager = {
                "data": json.loads(self.body)["data"],
                "status": {"statusCode": "ACTIVE"},
                "createdAt": now,
                "modifiedAt": now,
            }
        return json.dumps({"status": {"statusCode": "CREATING"}})

    def describe_alert_manager_definition(self: PrometheusServiceResponse) -> str:
        with _LOCK:
            definition = getattr(workspace_of(self), "alert_manager", None)
            if not definition:
                raise NotFound("Alert manager definition not found")
            return json.dumps({"alertManagerDefinition": definition})

    def put_alert_manager_definition(self: PrometheusServiceResponse) -> str:
        with _LOCK:
            definition = getattr(workspace_of(self), "alert_manager", None)
            if not definition:
                raise NotFound("Alert manager definition not found")
            definition["data"] = json.loads(self.body)["data"]
            definition["modifiedAt"] = utcnow().timestamp()
        return json.dumps({"status": {"statusCode": "UPDATING"}})

    def delete_alert_manager_definition(self: PrometheusServiceResponse) -> str:
        with _LOCK:
            workspace = workspace_of(self)
            if not getattr(workspace, "alert_manager", None):
                raise NotFound("Alert manager definition not found")
            workspace.alert_manager = None
        return "{}"

    def scrapers(backend: PrometheusServiceBackend) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "emulated_scrapers"):
            backend.emulated_scrapers = {}
        return backend.emulated_scrapers

    def scraper_of(self: PrometheusServiceResponse) -> dict[str, Any]:
        scraper_id = self.path.split("/")[-1]
        scraper = scrapers(self.amp_backend).get(scraper_id)
        if scraper is None:
            raise NotFound(f"Scraper {scraper_id} not found")
        return scraper

    def with_tags(self: PrometheusServiceResponse, scraper: dict[str, Any]) -> dict[str, Any]:
        return {**scraper, "tags": self.amp_backend.list_tags_for_resource(scraper["arn"])}

    def create_scraper(self: PrometheusServiceResponse) -> str:
        params = json.loads(self.body)
        backend = self.amp_backend
        scraper_id = "s-" + str(random.uuid4())
        scraper_arn = (
            f"arn:aws:aps:{self.region}:{self.current_account}:scraper/{scraper_id}"
        )
        now = utcnow().timestamp()
        scraper = {
            "scraperId": scraper_id,
            "arn": scraper_arn,
            "alias": params.get("alias"),
            "scrapeConfiguration": params["scrapeConfiguration"],
            "source": params["source"],
            "destination": params["destination"],
            "roleArn": f"arn:aws:iam::{self.current_account}:role/aws-service-role/"
            f"scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_"
            f"{random.get_random_string(15)}",
            "status": {"statusCode": "ACTIVE"},
            "createdAt": now,
            "lastModifiedAt": now,
        }
        if params.get("roleConfiguration"):
            scraper["roleConfiguration"] = params["roleConfiguration"]
        with _LOCK:
            scrapers(backend)[scraper_id] = scraper
            backend.tag_resource(scraper_arn, params.get("tags") or {})
        return json.dumps(
            {
                "scraperId": scraper_id,
                "arn": scraper_arn,
                "status": {"statusCode": "CREATING"},
                "tags": backend.list_tags_for_resource(scraper_arn),
            }
        )

    def describe_scraper(self: PrometheusServiceResponse) -> str:
        with _LOCK:
            return json.dumps({"scraper": with_tags(self, scraper_of(self))})

    def update_scraper(self: PrometheusServiceResponse) -> str:
        params = json.loads(self.body)
        with _LOCK:
            scraper = scraper_of(self)
            for key in ("alias", "scrapeConfiguration", "destination", "roleConfiguration"):
                if key in params:
                    scraper[key] = params[key]
            scraper["lastModifiedAt"] = utcnow().timestamp()
        return json.dumps(
            {
                "scraperId": scraper["scraperId"],
                "arn": scraper["arn"],
                "status": {"statusCode": "UPDATING"},
                "tags": self.amp_backend.list_tags_for_resource(scraper["arn"]),
            }
        )

    def delete_scraper(self: PrometheusServiceResponse) -> str:
        with _LOCK:
            scraper = scraper_of(self)
            del scrapers(self.amp_backend)[scraper["scraperId"]]
            self.amp_backend.tagger.delete_all_tags_for_resource(scraper["arn"])
        return json.dumps({"scraperId": scraper["scraperId"], "status": {"statusCode": "DELETING"}})

    def list_scrapers(self: PrometheusServiceResponse) -> str:
        with _LOCK:
            return json.dumps(
                {"scrapers": [with_tags(self, s) for s in scrapers(self.amp_backend).values()]}
            )

    for handler in [
        create_alert_manager_definition,
        describe_alert_manager_definition,
        put_alert_manager_definition,
        delete_alert_manager_definition,
        create_scraper,
        describe_scraper,
        update_scraper,
        delete_scraper,
        list_scrapers,
    ]:
        setattr(PrometheusServiceResponse, handler.__name__, handler)


# --------------------------------------------------------------------------------------------
# CodeBuild: whole projects and webhooks
# --------------------------------------------------------------------------------------------


def patch_codebuild() -> None:
    from moto.codebuild.exceptions import (
        ResourceAlreadyExistsException,
        ResourceNotFoundException,
    )
    from moto.codebuild.responses import CodeBuildResponse

    original_create = CodeBuildResponse.create_project
    original_delete = CodeBuildResponse.delete_project

    def projects(self: CodeBuildResponse) -> dict[str, dict[str, Any]]:
        backend = self.codebuild_backend
        if not hasattr(backend, "emulated_projects"):
            backend.emulated_projects = {}
        return backend.emulated_projects

    def project_of(self: CodeBuildResponse, name: str) -> dict[str, Any]:
        # The provider addresses projects by name or by ARN.
        name = name.split(":project/")[-1]
        project = projects(self).get(name)
        if project is None:
            raise ResourceNotFoundException(f"Project {name} does not exist")
        return project

    def create_project(self: CodeBuildResponse) -> str:
        # moto's own validation and its project record (builds use it) come first.
        original_create(self)
        params = json.loads(self.body or "{}")
        name = params["name"]
        # Timestamps are epoch seconds in this JSON protocol.
        now = utcnow().timestamp()
        project = {
            # What AWS fills in when the request leaves it out.
            "timeoutInMinutes": 60,
            "queuedTimeoutInMinutes": 480,
            "cache": {"type": "NO_CACHE"},
            "badge": {"badgeEnabled": False},
            "projectVisibility": "PRIVATE",
            "encryptionKey": f"arn:aws:kms:{self.region}:{self.current_account}:alias/aws/s3",
            **{k: v for k, v in params.items() if k not in ("badgeEnabled",)},
            "arn": f"arn:aws:codebuild:{self.region}:{self.current_account}:project/{name}",
            "created": now,
            "lastModified": now,
        }
        if "badgeEnabled" in params:
            project["badge"] = {"badgeEnabled": bool(params["badgeEnabled"])}
        with _LOCK:
            projects(self)[name] = project
        return json.dumps({"project": project})

    def update_project(self: CodeBuildResponse) -> str:
        params = json.loads(self.body or "{}")
        with _LOCK:
            project = project_of(self, params["name"])
            for key, value in params.items():
                if key == "badgeEnabled":
                    project["badge"] = {"badgeEnabled": bool(value)}
                elif key != "name":
                    project[key] = value
            project["lastModified"] = utcnow().timestamp()
        return json.dumps({"project": project})

    def batch_get_projects(self: CodeBuildResponse) -> str:
        found, missing = [], []
        with _LOCK:
            for name in self._get_param("names") or []:
                try:
                    found.append(project_of(self, name))
                except ResourceNotFoundException:
                    missing.append(name)
        return json.dumps({"projects": found, "projectsNotFound": missing})

    def delete_project(self: CodeBuildResponse) -> str:
        with _LOCK:
            projects(self).pop(self._get_param("name"), None)
        if self._get_param("name") in self.codebuild_backend.codebuild_projects:
            return original_delete(self)
        return "{}"

    def create_webhook(self: CodeBuildResponse) -> str:
        with _LOCK:
            project = project_of(self, self._get_param("projectName"))
            if project.get("webhook"):
                raise ResourceAlreadyExistsException("Webhook already exists")
            name = project["name"]
            webhook = {
                "url": f"https://api.github.com/repos/emulated/{name}/hooks/1",
                "payloadUrl": f"https://codebuild.{self.region}.amazonaws.com/webhooks"
                f"?t={random.get_random_string(20)}&v=1",
                "secret": random.get_random_string(32),
                "lastModifiedSecret": utcnow().timestamp(),
            }
            for key in ("branchFilter", "filterGroups", "buildType", "manualCreation",
                        "scopeConfiguration"):
                if self._get_param(key) is not None:
                    webhook[key] = self._get_param(key)
            project["webhook"] = webhook
        return json.dumps({"webhook": webhook})

    def update_webhook(self: CodeBuildResponse) -> str:
        with _LOCK:
            project = project_of(self, self._get_param("projectName"))
            webhook = project.get("webhook")
            if not webhook:
                raise ResourceNotFoundException("Webhook does not exist")
            for key in ("branchFilter", "filterGroups", "buildType"):
                if self._get_param(key) is not None:
                    webhook[key] = self._get_param(key)
        return json.dumps({"webhook": {k: v for k, v in webhook.items() if k != "secret"}})

    def delete_webhook(self: CodeBuildResponse) -> str:
        with _LOCK:
            project = project_of(self, self._get_param("projectName"))
            if not project.pop("webhook", None):
                raise ResourceNotFoundException("Webhook does not exist")
        return "{}"

    for handler in [
        create_project,
        update_project,
        batch_get_projects,
        delete_project,
        create_webhook,
        update_webhook,
        delete_webhook,
    ]:
        setattr(CodeBuildResponse, handler.__name__, handler)


# --------------------------------------------------------------------------------------------
# EC2: descriptions of rules that reference another security group
# --------------------------------------------------------------------------------------------


def patch_ec2() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule

    # moto keeps such a rule's description with the referenced group, but DescribeSecurityGroupRules
    # only looks in the CIDR range, so a re-plan would set the description again.
    def description(self: SecurityGroupRule) -> str | None:
        return self.ip_range.get("Description") or self.source_group.get("Description")

    SecurityGroupRule.description = property(description)


# --------------------------------------------------------------------------------------------
# EC2 launch templates, RDS
# --------------------------------------------------------------------------------------------


def patch_launch_templates() -> None:
    from moto.ec2.models.launch_templates import LaunchTemplateVersion

    original_init = LaunchTemplateVersion.__init__

    # moto copies the tags of the template itself (CreateLaunchTemplate's TagSpecifications,
    # resource type launch-template) into the template's data, where AWS allows only the
    # resources launched from it (instance, volume, network-interface, ...).
    def init(self: Any, template: Any, number: int, data: dict[str, Any], description: str) -> None:
        specs = data.get("TagSpecifications")
        if specs:
            kept = [s for s in specs if s.get("ResourceType") != "launch-template"]
            data = {**data, "TagSpecifications": kept}
            if not kept:
                del data["TagSpecifications"]
        original_init(self, template, number, data, description)

    LaunchTemplateVersion.__init__ = init


def patch_rds() -> None:
    from moto.rds.responses import RDSResponse

    # Enhanced monitoring and Performance Insights: moto drops them on create and modify.
    settings = {
        "MonitoringInterval": "monitoring_interval",
        "MonitoringRoleArn": "monitoring_role_arn",
        "EnablePerformanceInsights": "performance_insights_enabled",
        "PerformanceInsightsKMSKeyId": "performance_insights_kms_key_id",
        "PerformanceInsightsRetentionPeriod": "performance_insights_retention_period",
    }

    def remember(database: Any, params: dict[str, Any]) -> None:
        for key, attribute in settings.items():
            if key in params:
                setattr(database, attribute, params[key])
        if getattr(database, "performance_insights_enabled", False):
            if not getattr(database, "performance_insights_retention_period", None):
                database.performance_insights_retention_period = 7
        elif "EnablePerformanceInsights" in params:
            database.performance_insights_kms_key_id = None
            database.performance_insights_retention_period = None

    for name in ("create_db_instance", "modify_db_instance"):
        original = getattr(RDSResponse, name)

        def handler(self: RDSResponse, original: Any = original) -> ActionResult:
            # self.params maps the API's names (it stores them transformed), read before moto.
            keys = [*settings, "DBInstanceIdentifier", "NewDBInstanceIdentifier"]
            params = {k: self.params.get(k) for k in keys if self.params.get(k) is not None}
            result = original(self)
            identifier = params.get("NewDBInstanceIdentifier") or params["DBInstanceIdentifier"]
            remember(self.backend.databases[identifier], params)
            return result

        setattr(RDSResponse, name, handler)

    # moto stores only the parameters a user set, but answers without their Source, which the
    # provider filters on ("user").
    original_describe_parameters = RDSResponse.describe_db_parameters

    def describe_db_parameters(self: RDSResponse) -> ActionResult:
        result = original_describe_parameters(self)
        parameters = result._result["Parameters"]
        result._result["Parameters"] = [{"Source": "user", **p} for p in parameters]
        return result

    RDSResponse.describe_db_parameters = describe_db_parameters


def patch_all() -> None:
    if moto.__version__ != EXPECTED_MOTO:
        print(
            f"moto_launcher: written for moto {EXPECTED_MOTO}, found {moto.__version__}",
            file=sys.stderr,
        )
    patch_ec2()
    patch_launch_templates()
    patch_rds()
    patch_logs()
    patch_eks()
    patch_amp()
    patch_codebuild()


def main(argv: list[str]) -> None:
    patch_all()
    from moto.server import main as server_main

    server_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
