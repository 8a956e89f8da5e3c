"""A test in Python against the graph-sync emulator: arrange a 429 storm through the control
API, run a small retrying client (the "code under test"), and assert from the request log the
retries it made.

Run: GRAPH_SYNC_EMULATOR=path/to/graph-sync-emulator python3 test_graph_sync_emulator.py
(cargo runs it from the graph-sync-emulator crate's `python_helper` test).
"""

import json
import os
import shlex
import sys
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_sync_emulator import ControlError, start  # noqa: E402


def put_secrets_with_retries(graph_root, token, sp, secrets, max_attempts=5):
    """The code under test: PUT secrets, retrying 429/503 after Retry-After (which the
    storm sets to 0, so nothing sleeps). Returns the statuses it saw."""
    url = f"{graph_root}/servicePrincipals/{sp}/synchronization/secrets"
    body = json.dumps({"value": [{"key": k, "value": v} for k, v in secrets.items()]}).encode()
    statuses = []
    for attempt in range(max_attempts):
        request = urllib.request.Request(url, data=body, method="PUT")
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        request.add_header("client-request-id", "python-storm-1")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses.append(response.status)
                return statuses
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
            if error.code not in (429, 503):
                return statuses
            wait = float(error.headers.get("Retry-After", "0"))
            assert wait == 0, "the storm asks for no wait"
    return statuses


class StormTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        command = shlex.split(os.environ.get("GRAPH_SYNC_EMULATOR", "graph-sync-emulator"))
        cls.emu = start(command)

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def setUp(self):
        self.emu.reset()

    def test_a_429_storm_is_retried_and_the_log_shows_each_retry(self):
        emu = self.emu
        emu.script(
            "PUT",
            "*/synchronization/secrets",
            [{"status": 429, "headers": {"Retry-After": "0"}}],
            times=3,
        )
        statuses = put_secrets_with_retries(
            emu.graph_root, emu.token, emu.sp_ids[0], {"SecretToken": "py-canary-1234"}
        )
        self.assertEqual(statuses, [429, 429, 429, 204])

        puts = [r for r in emu.log() if r["method"] == "PUT"]
        self.assertEqual([r["status"] for r in puts], [429, 429, 429, 204])
        self.assertEqual({r["client_request_id"] for r in puts}, {"python-storm-1"})
        self.assertEqual(puts[-1]["body"]["value"][0]["value"], "[REDACTED]")
        self.assertNotIn("py-canary-1234", json.dumps(emu.log()))
        counters = emu.counters()
        self.assertEqual(counters["status_429"], 3)
        self.assertEqual(counters["by_status"], {"204": 1, "429": 3})
        print(f"retries seen in the log: {len(puts) - 1}; counters: {json.dumps(counters)}")

    def test_the_throttle_answers_429_with_retry_after(self):
        emu = self.emu
        emu.throttle(0.001, burst=1)
        statuses = put_secrets_with_retries(
            emu.graph_root, emu.token, emu.sp_ids[0], {"SecretToken": "x1234"}, max_attempts=1
        )
        self.assertEqual(statuses, [204])
        url = f"{emu.graph_root}/servicePrincipals/{emu.sp_ids[0]}/synchronization"
        request = urllib.request.Request(url)
        request.add_header("Authorization", f"Bearer {emu.token}")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=30)
        self.assertEqual(caught.exception.code, 429)
        self.assertIsNotNone(caught.exception.headers.get("Retry-After"))
        self.assertEqual(emu.counters()["throttled"], 1)
        self.assertEqual(emu.settings()["throttle"]["burst"], 1)

    def test_a_refused_setting_raises_with_the_reason(self):
        with self.assertRaises(ControlError) as caught:
            self.emu.faults(2.0)
        self.assertEqual(caught.exception.status, 400)
        self.assertIn("faults.rate", str(caught.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)
