"""The official Python Graph SDK (msgraph-sdk, default middleware) as the peer of figure (b).

Run by graph-sync-bench in a throwaway virtual environment:

    python sdk_peer.py GRAPH_ROOT N CONCURRENCY [FIRST]   (token in GRAPH_SYNC_BENCH_TOKEN)

PUTs secrets for the service principals 00000000-0000-4000-8000-{index:012x}, index FIRST to
FIRST + N - 1 (FIRST defaults to 0), at
most CONCURRENCY at a time, through GraphServiceClient with its default middleware (so its
RetryHandler: 3 retries, Retry-After read as whole seconds or a date, else 3 s exponential
backoff with jitter). Prints one line:

    result wall_s=… failures=… p50_ms=… p99_ms=…
"""

import asyncio
import os
import sys
import time
from urllib.parse import urlparse

from azure.core.credentials import AccessToken
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphServiceClient
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.generated.models.synchronization_secret import SynchronizationSecret
from msgraph.generated.models.synchronization_secret_key_string_value_pair import (
    SynchronizationSecretKeyStringValuePair,
)
from msgraph.generated.service_principals.item.synchronization.secrets.secrets_put_request_body import (
    SecretsPutRequestBody,
)


class StaticToken:
    """An azure-core credential that hands out the emulator's token."""

    def __init__(self, token):
        self._token = token

    async def get_token(self, *scopes, **kwargs):
        return AccessToken(self._token, int(time.time()) + 3600)

    async def close(self):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *args):
        pass


def percentile(sorted_values, fraction):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


async def main(root, n, concurrency, first):
    token = os.environ["GRAPH_SYNC_BENCH_TOKEN"]
    host = urlparse(root).hostname
    auth = AzureIdentityAuthenticationProvider(
        StaticToken(token),
        scopes=["https://graph.microsoft.com/.default"],
        allowed_hosts=[host],
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = root
    client = GraphServiceClient(request_adapter=adapter)
    body = SecretsPutRequestBody(
        value=[
            SynchronizationSecretKeyStringValuePair(
                key=SynchronizationSecret.BaseAddress,
                value="https://scim.example.com/scim/v2",
            ),
            SynchronizationSecretKeyStringValuePair(
                key=SynchronizationSecret.SecretToken, value="bench-scim-token"
            ),
            SynchronizationSecretKeyStringValuePair(
                key=SynchronizationSecret.SyncAll, value="false"
            ),
        ]
    )
    permits = asyncio.Semaphore(concurrency)
    latencies = []
    failures = []

    async def put(index):
        async with permits:
            started = time.monotonic()
            sp = f"00000000-0000-4000-8000-{index:012x}"
            try:
                await client.service_principals.by_service_principal_id(
                    sp
                ).synchronization.secrets.put(body)
            except Exception as error:  # any failure counts; the first is shown
                failures.append(f"{type(error).__name__}: {error}"[:300])
            latencies.append(time.monotonic() - started)

    start = time.monotonic()
    await asyncio.gather(*(put(index) for index in range(first, first + n)))
    wall = time.monotonic() - start
    latencies.sort()
    if failures:
        print(f"first failure: {failures[0]}", file=sys.stderr)
    print(
        f"result wall_s={wall:.6f} failures={len(failures)} "
        f"p50_ms={percentile(latencies, 0.5) * 1000:.3f} "
        f"p99_ms={percentile(latencies, 0.99) * 1000:.3f}"
    )


if __name__ == "__main__":
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), first))
