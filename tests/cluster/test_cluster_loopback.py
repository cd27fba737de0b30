"""The private cluster `render --ray` starts is reachable from this machine only."""

from __future__ import annotations

import ipaddress
import os

import pytest

from worldforge.engines.image.cluster import LOOPBACK_ONLY

psutil = pytest.importorskip("psutil")  # comes with Ray


def _listening(process: psutil.Process) -> list[str]:
    try:
        sockets = process.net_connections(kind="inet")
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []
    return [s.laddr.ip for s in sockets if s.status == psutil.CONN_LISTEN]


def _is_loopback(ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback


def test_every_server_of_the_local_cluster_listens_on_loopback_only(pool):
    import ray

    me = psutil.Process()
    processes = [me, *me.children(recursive=True)]
    names = {p.name() for p in processes if _listening(p)}
    assert {"gcs_server", "raylet"} <= names, names
    addresses = {ip for p in processes for ip in _listening(p)}
    assert addresses and all(_is_loopback(ip) for ip in addresses), addresses
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}


def test_the_switch_is_put_back_once_the_cluster_is_up(pool):
    from ray._private import ray_constants

    assert LOOPBACK_ONLY not in os.environ
    assert ray_constants.ENABLE_RAY_CLUSTER
