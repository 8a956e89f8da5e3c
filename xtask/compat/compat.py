"""The provisioning workflow through Microsoft's own Python clients against graph-sync emulator.

Run by `cargo xtask compat` in a throwaway virtual environment holding the pinned
msgraph-sdk and azure-identity of requirements.txt, with the variables the emulator's banner
exports (AZURE_AUTHORITY_HOST, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
IDENTITY_ENDPOINT, IDENTITY_HEADER, SSL_CERT_FILE, REQUESTS_CA_BUNDLE, GRAPH_SYNC_GRAPH_URL,
GRAPH_SYNC_SCIM_URL, GRAPH_SYNC_SCIM_TOKEN). Each call is made through the SDK's request
builders, or, where the SDK has no builder for the documented request (schema PUT, bulkUpload
POST), through the SDK's request adapter with the SDK's own models and serializers. Each
answer is decoded by the SDK and checked for properties it could not map (kept in
`additional_data`; OData annotations such as `@odata.context` excepted).

Prints a table (call, accepted, decoded cleanly) and exits 1 if any call failed.
"""

import asyncio
import os
import sys
import traceback

from azure.identity import ClientSecretCredential, ManagedIdentityCredential
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_abstractions.serialization import Parsable
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.application_templates.item.instantiate.instantiate_post_request_body import (
    InstantiatePostRequestBody,
)
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.synchronization_job import SynchronizationJob
from msgraph.generated.models.synchronization_job_application_parameters import (
    SynchronizationJobApplicationParameters,
)
from msgraph.generated.models.synchronization_job_restart_criteria import (
    SynchronizationJobRestartCriteria,
)
from msgraph.generated.models.synchronization_job_restart_scope import SynchronizationJobRestartScope
from msgraph.generated.models.synchronization_job_subject import SynchronizationJobSubject
from msgraph.generated.models.synchronization_schema import SynchronizationSchema
from msgraph.generated.models.synchronization_secret import SynchronizationSecret
from msgraph.generated.models.synchronization_secret_key_string_value_pair import (
    SynchronizationSecretKeyStringValuePair,
)
from msgraph.generated.models.attribute_definition import AttributeDefinition
from msgraph.generated.service_principals.item.synchronization.jobs.item.provision_on_demand.provision_on_demand_post_request_body import (
    ProvisionOnDemandPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.jobs.item.restart.restart_post_request_body import (
    RestartPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.jobs.item.schema.parse_expression.parse_expression_post_request_body import (
    ParseExpressionPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.jobs.item.validate_credentials.validate_credentials_post_request_body import (
    ValidateCredentialsPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.secrets.secrets_put_request_body import (
    SecretsPutRequestBody,
)

NON_GALLERY_TEMPLATE = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
SCIM_USER_RULE = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
ERRORS = {"XXX": ODataError.create_from_discriminator_value}


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"compat: {name} is not set (run through `cargo xtask compat`)")
    return value


def unmapped(value, path="$"):
    """Every property the SDK could not map, with where it was found."""
    found = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            found += unmapped(item, f"{path}[{index}]")
    elif isinstance(value, Parsable):
        extra = getattr(value, "additional_data", None) or {}
        found += [f"{path}.{key}" for key in extra if not key.startswith("@odata.")]
        for name, item in vars(value).items():
            if name not in ("additional_data", "backing_store") and not name.startswith("_"):
                found += unmapped(item, f"{path}.{name}")
    return found


class Table:
    def __init__(self):
        self.rows = []

    async def call(self, name, make, check=None):
        """Runs one call; returns its decoded answer (None when it failed)."""
        try:
            answer = await make()
        except Exception as error:  # noqa: BLE001 - every failure is a row
            detail = getattr(getattr(error, "error", None), "message", None) or repr(error)
            self.rows.append((name, "no", "-", str(detail)[:160]))
            if os.environ.get("COMPAT_VERBOSE"):
                traceback.print_exc()
            return None
        leftovers = unmapped(answer)
        problem = None
        if check is not None:
            problem = check(answer)
        clean = "yes" if not leftovers and not problem else "no"
        note = "; ".join(leftovers[:4]) or (problem or "")
        self.rows.append((name, "yes", clean, note))
        return answer

    def print(self):
        width = max(len(row[0]) for row in self.rows)
        print(f"{'call':<{width}}  accepted  decoded cleanly  note")
        print(f"{'-' * width}  --------  ---------------  ----")
        for name, accepted, clean, note in self.rows:
            print(f"{name:<{width}}  {accepted:<8}  {clean:<15}  {note}")
        failed = [row for row in self.rows if row[1] != "yes" or row[2] != "yes"]
        print(f"\n{len(self.rows) - len(failed)} of {len(self.rows)} calls accepted and decoded cleanly")
        return not failed


def client_for(credential, graph_root):
    host = graph_root.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=[GRAPH_SCOPE], allowed_hosts=[host]
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = graph_root
    return GraphServiceClient(request_adapter=adapter), adapter


async def main():
    graph_root = env("GRAPH_SYNC_GRAPH_URL")
    authority = env("AZURE_AUTHORITY_HOST")
    table = Table()

    secret_credential = ClientSecretCredential(
        env("AZURE_TENANT_ID"),
        env("AZURE_CLIENT_ID"),
        env("AZURE_CLIENT_SECRET"),
        authority=authority,
        disable_instance_discovery=True,
    )
    await table.call(
        "token: ClientSecretCredential",
        lambda: asyncio.to_thread(secret_credential.get_token, GRAPH_SCOPE),
        lambda token: None if token.token.count(".") == 2 else "not a JWT",
    )
    managed_credential = ManagedIdentityCredential()
    await table.call(
        "token: ManagedIdentityCredential (App Service)",
        lambda: asyncio.to_thread(managed_credential.get_token, GRAPH_SCOPE),
        lambda token: None if token.token else "empty token",
    )

    client, adapter = client_for(secret_credential, graph_root)
    created = await table.call(
        "applicationTemplates/{id}/instantiate",
        lambda: client.application_templates.by_application_template_id(
            NON_GALLERY_TEMPLATE
        ).instantiate.post(InstantiatePostRequestBody(display_name="compat SCIM app")),
        lambda a: None if a.service_principal and a.service_principal.id else "no service principal",
    )
    if created is None:
        return table.print()
    sp_id = created.service_principal.id
    sync = client.service_principals.by_service_principal_id(sp_id).synchronization

    await table.call("GET servicePrincipals/{id}", lambda: client.service_principals.by_service_principal_id(sp_id).get())
    templates = await table.call(
        "GET synchronization/templates",
        lambda: sync.templates.get(),
        lambda t: None if t.value else "no templates",
    )
    template_id = templates.value[0].id if templates and templates.value else "scim"
    await table.call("GET synchronization/templates/{id}", lambda: sync.templates.by_synchronization_template_id(template_id).get())
    job = await table.call(
        "POST synchronization/jobs",
        lambda: sync.jobs.post(SynchronizationJob(template_id=template_id)),
        lambda j: None if j.id else "no job id",
    )
    if job is None:
        return table.print()
    job_item = sync.jobs.by_synchronization_job_id(job.id)
    secrets = SecretsPutRequestBody(
        value=[
            SynchronizationSecretKeyStringValuePair(
                key=SynchronizationSecret.BaseAddress, value=env("GRAPH_SYNC_SCIM_URL")
            ),
            SynchronizationSecretKeyStringValuePair(
                key=SynchronizationSecret.SecretToken, value=env("GRAPH_SYNC_SCIM_TOKEN")
            ),
        ]
    )
    await table.call("PUT synchronization/secrets", lambda: sync.secrets.put(secrets))
    await table.call("GET synchronization/jobs", lambda: sync.jobs.get(), lambda j: None if j.value else "no jobs")
    await table.call(
        "POST jobs/{id}/validateCredentials",
        lambda: job_item.validate_credentials.post(
            ValidateCredentialsPostRequestBody(use_saved_credentials=True)
        ),
    )
    await table.call("POST jobs/{id}/start", lambda: job_item.start.post())
    await table.call(
        "GET jobs/{id} (status Active)",
        lambda: job_item.get(),
        lambda j: None if j.status and str(j.status.code.value) == "Active" else f"status {j.status.code if j.status else None}",
    )
    await table.call("POST jobs/{id}/pause", lambda: job_item.pause.post())
    await table.call(
        "POST jobs/{id}/restart",
        lambda: job_item.restart.post(
            RestartPostRequestBody(
                criteria=SynchronizationJobRestartCriteria(
                    reset_scope=SynchronizationJobRestartScope.Watermark
                )
            )
        ),
    )
    schema = await table.call("GET jobs/{id}/schema", lambda: job_item.schema.get())

    async def put_schema():
        # The documented update is PUT; the SDK's builder only offers PATCH, so the SDK's own
        # request information is sent with the documented method.
        info = job_item.schema.to_patch_request_information(schema)
        info.http_method = Method.PUT
        return await adapter.send_no_response_content_async(info, ERRORS)

    if schema is not None:
        await table.call("PUT jobs/{id}/schema", put_schema)
    await table.call(
        "POST jobs/{id}/schema/parseExpression",
        lambda: job_item.schema.parse_expression.post(
            ParseExpressionPostRequestBody(
                expression="Join(\", \", [surname], [givenName])",
                target_attribute_definition=AttributeDefinition(name="displayName", type="String"),
            )
        ),
        lambda r: None if r.parsing_succeeded else "parsing failed",
    )
    await table.call(
        "POST jobs/{id}/provisionOnDemand",
        lambda: job_item.provision_on_demand.post(
            ProvisionOnDemandPostRequestBody(
                parameters=[
                    SynchronizationJobApplicationParameters(
                        rule_id=SCIM_USER_RULE,
                        subjects=[
                            SynchronizationJobSubject(
                                object_id="9f0c4c16-2a7e-4f8f-9a1b-6d2e3c4b5a69",
                                object_type_name="User",
                            )
                        ],
                    )
                ]
            )
        ),
        lambda r: None if r.value else "no result",
    )

    async def bulk_upload():
        # The documented call is POST …/bulkUpload with application/scim+json; the SDK's
        # builder addresses …/bulkUpload/$value, so its request information is sent as documented.
        info = RequestInformation(Method.POST, job_item.url_template + "/bulkUpload", job_item.path_parameters)
        body = (
            b'{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],'
            b'"Operations":[{"method":"POST","bulkId":"1","path":"/Users","data":'
            b'{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"compat-1",'
            b'"userName":"compat@example.com","active":true}}],"failOnErrors":null}'
        )
        info.set_stream_content(body, "application/scim+json")
        return await adapter.send_no_response_content_async(info, ERRORS)

    await table.call("POST jobs/{id}/bulkUpload", bulk_upload)
    await table.call("DELETE jobs/{id}", lambda: job_item.delete())

    managed_client, _ = client_for(managed_credential, graph_root)
    await table.call(
        "GET synchronization/templates (managed identity token)",
        lambda: managed_client.service_principals.by_service_principal_id(sp_id).synchronization.templates.get(),
    )
    return table.print()


if __name__ == "__main__":
    sys.exit(0 if asyncio.run(main()) else 1)
