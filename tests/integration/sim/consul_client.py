#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The python-consul client, unchanged, against the simulated Consul.

Usage: consul_client.py PORT. Exits non-zero on the first broken expectation; run by
tst_simconsul, whose process serves the port (so keep every call bounded).
"""
import sys
import threading
import time

import consul


def expect(condition, what):
    if not condition:
        print("FAILED: " + what, flush=True)
        sys.exit(1)


def main():
    if len(sys.argv) != 2:
        print("usage: consul_client.py PORT", file=sys.stderr)
        return 2
    c = consul.Consul(host="127.0.0.1", port=int(sys.argv[1]))

    # KV: put, get (bytes back), flags, missing key, recurse, keys with separator.
    expect(c.kv.put("py/app/config", "hello") is True, "kv.put returns True")
    expect(c.kv.put("py/app/limits", b"\x00\x01binary", flags=7) is True, "kv.put bytes")
    expect(c.kv.put("py/app/sub/leaf", "x") is True, "kv.put nested")
    index, item = c.kv.get("py/app/config")
    expect(int(index) >= 1, "kv.get index")
    expect(item["Value"] == b"hello", "kv.get value is base64-decoded to b'hello'")
    _, item = c.kv.get("py/app/limits")
    expect(item["Value"] == b"\x00\x01binary" and item["Flags"] == 7, "binary value and flags")
    _, missing = c.kv.get("py/nope")
    expect(missing is None, "missing key is None")
    _, items = c.kv.get("py/app/", recurse=True)
    expect([i["Key"] for i in items] == ["py/app/config", "py/app/limits", "py/app/sub/leaf"],
           "kv.get recurse lists the prefix in order")
    _, keys = c.kv.get("py/app/", keys=True, separator="/")
    expect(keys == ["py/app/config", "py/app/limits", "py/app/sub/"], "keys with separator")

    # CAS through the client.
    _, item = c.kv.get("py/app/config")
    expect(c.kv.put("py/app/config", "stale", cas=item["ModifyIndex"] + 1000) is False,
           "failed CAS is False")
    expect(c.kv.put("py/app/config", "fresh", cas=item["ModifyIndex"]) is True, "CAS succeeds")

    # A blocking get with the index returns when another writer changes the key.
    index, item = c.kv.get("py/app/config")
    writer = threading.Timer(0.3, lambda: consul.Consul(
        host="127.0.0.1", port=int(sys.argv[1])).kv.put("py/app/config", "changed"))
    writer.start()
    started = time.monotonic()
    new_index, item = c.kv.get("py/app/config", index=index, wait="10s")
    elapsed = time.monotonic() - started
    writer.join()
    expect(item["Value"] == b"changed", "blocking get sees the change")
    expect(int(new_index) > int(index), "blocking get returns a higher index")
    expect(0.2 <= elapsed < 5, "blocking get held until the write (%.2fs)" % elapsed)
    # And a short wait with nothing changing returns the same index.
    same_index, _ = c.kv.get("py/app/config", index=new_index, wait="200ms")
    expect(same_index == new_index, "timed-out blocking get keeps the index")

    expect(c.kv.delete("py/app/", recurse=True) is True, "kv.delete recurse")
    _, gone = c.kv.get("py/app/", recurse=True)
    expect(gone is None, "prefix gone after delete")

    # Health, catalog, status: the test registered "web" before starting the script.
    _, nodes = c.health.service("web")
    expect(len(nodes) == 2, "health.service lists both instances")
    expect(all("Service" in n and "Node" in n and "Checks" in n for n in nodes),
           "health.service entries have Node, Service, Checks")
    _, passing = c.health.service("web", passing=True)
    expect([n["Service"]["ID"] for n in passing] == ["web-1"], "health.service passing")
    _, critical = c.health.state("critical")
    expect([chk["ServiceID"] for chk in critical] == ["web-2"], "health.state critical")
    _, checks = c.health.checks("web")
    expect(len(checks) == 2, "health.checks")
    _, services = c.catalog.services()
    expect(services.get("web") == ["prod"] and "consul" in services, "catalog.services")
    _, instances = c.catalog.service("web")
    expect(sorted(i["ServicePort"] for i in instances) == [31001, 31002], "catalog.service")
    expect(c.status.leader() == "127.0.0.1:8300", "status.leader")
    expect(c.status.peers() == ["127.0.0.1:8300"], "status.peers")
    expect(c.agent.self()["Config"]["Datacenter"] == "dc1", "agent.self")

    # Errors come back as the client's exceptions.
    try:
        c.kv.get("py/x", index=1, wait="soon")
        expect(False, "a bad wait raises")
    except consul.base.BadRequest:
        pass
    try:
        c.kv.get("py/x", dc="mars")
        expect(False, "an unknown dc raises")
    except consul.base.ConsulException as e:
        expect("No path to datacenter" in str(e), "unknown dc message")

    print("python-consul contract: ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
