"""The Zero to JupyterHub values file: valid for the chart version it targets, and coherent
with the image and the local hub (same exchange path, same course configuration).

The schema and the defaults are the chart's own (version 4.4.0; tests/hub/data/README.md):
as helm does, the values file is merged over the chart's defaults and the result validated.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SCHEMA = json.loads((Path(__file__).parent / "data" / "z2jh-4.4.0-values.schema.json")
                    .read_text(encoding="utf-8"))
DEFAULTS = yaml.safe_load((Path(__file__).parent / "data" / "z2jh-4.4.0-values.yaml")
                          .read_text(encoding="utf-8"))
VALUES = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text(encoding="utf-8"))
EXCHANGE = "/srv/nbgrader/exchange"


def merged(defaults: dict, values: dict) -> dict:
    """``values`` over ``defaults``, dictionaries merged key by key (helm's coalescing)."""
    out = copy.deepcopy(defaults)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def errors(values: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA)
    return [f"{'.'.join(map(str, error.path))}: {error.message}"
            for error in validator.iter_errors(merged(DEFAULTS, values))]


def test_schema_is_a_draft7_schema():
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_values_file_names_the_chart_version_of_the_schema():
    header = (DEPLOY / "z2jh-values.yaml").read_text(encoding="utf-8")
    assert "--version 4.4.0" in header and "chart version 4.4.0" in header


def test_values_file_is_valid():
    assert errors(VALUES) == []


def mutated(path: str, value) -> dict:
    values = copy.deepcopy(VALUES)
    *parents, last = path.split(".")
    node = values
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return values


@pytest.mark.parametrize(("path", "value", "complaint"), [
    ("singleuser.memory.limt", "2G", "Additional properties are not allowed ('limt'"),
    ("singleuser.cpu.limit", "one", "'one' is not of type 'number', 'null'"),
    ("cull.timeout", "1h", "'1h' is not of type 'integer', 'null'"),
    ("singleuser.image.tag", ["1.0"], "['1.0'] is not of type 'string'"),
    ("singleuser.storage.type", "nfs", "'nfs' is not one of"),
    ("hub.db.type", "sqlite", "'sqlite' is not one of"),
    ("hub.config.jupyterhub", {"ip": "0.0.0.0"}, "does not match any of the regexes"),
    ("culling", {"enabled": True}, "Additional properties are not allowed ('culling'"),
], ids=["typo", "cpu-text", "cull-text", "tag-not-text", "storage-type", "db-type",
        "config-lowercase", "unknown-section"])
def test_schema_rejects_what_helm_would(path, value, complaint):
    found = errors(mutated(path, value))
    assert any(complaint in error for error in found), found


def test_extra_config_is_python():
    for name, source in VALUES["hub"]["extraConfig"].items():
        compile(source, f"hub.extraConfig.{name}", "exec")


def test_the_exchange_is_one_shared_volume_at_the_path_nbgrader_is_told():
    singleuser = VALUES["singleuser"]
    assert singleuser["extraEnv"]["VLAB_EXCHANGE_ROOT"] == EXCHANGE
    mounts = {mount["name"]: mount["mountPath"]
              for mount in singleuser["storage"]["extraVolumeMounts"]}
    claims = {volume["name"]: volume["persistentVolumeClaim"]["claimName"]
              for volume in singleuser["storage"]["extraVolumes"]}
    assert mounts == {"nbgrader-exchange": EXCHANGE}
    claim = yaml.safe_load((DEPLOY / "k8s" / "nbgrader-exchange-pvc.yaml").read_text())
    assert claims == {"nbgrader-exchange": claim["metadata"]["name"]}
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]  # every node's pods write to it
    nbgrader_config = (DEPLOY / "singleuser" / "nbgrader_config.py").read_text()
    assert f'"VLAB_EXCHANGE_ROOT", "{EXCHANGE}"' in nbgrader_config


def test_image_is_this_repository_with_the_course_configuration():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"pip install .*'/opt/vlab\[hub\]'", dockerfile)
    assert "deploy/singleuser/nbgrader_config.py /etc/jupyter/nbgrader_config.py" in dockerfile
    assert f"VLAB_EXCHANGE_ROOT={EXCHANGE}" in dockerfile
    assert "--uid 1000" in dockerfile and "jovyan" in dockerfile  # the chart's user


def test_instructors_and_students_are_the_groups_of_the_local_hub():
    groups = VALUES["hub"]["config"]["JupyterHub"]["load_groups"]
    assert set(groups) == {"formgrade-vlab", "nbgrader-vlab"}
    local = (DEPLOY / "jupyterhub_config.py").read_text()
    assert 'f"formgrade-{COURSE_ID}"' in local and 'f"nbgrader-{COURSE_ID}"' in local
    assert 'COURSE_ID = "vlab"' in local
    assert "formgrade-vlab" in VALUES["hub"]["extraConfig"]["vlab-course-roles"]


def test_idle_servers_are_culled_and_limits_are_set():
    assert VALUES["cull"]["enabled"] is True and VALUES["cull"]["timeout"] > 0
    memory = VALUES["singleuser"]["memory"]
    assert memory["guarantee"] and memory["limit"]
    assert VALUES["singleuser"]["cpu"]["limit"]


def test_local_hub_passes_the_same_resources():
    memory, cpu = VALUES["singleuser"]["memory"], VALUES["singleuser"]["cpu"]
    local = (DEPLOY / "jupyterhub_config.py").read_text()
    assert f'c.Spawner.mem_guarantee = "{memory["guarantee"]}"' in local
    assert f'c.Spawner.mem_limit = "{memory["limit"]}"' in local
    assert f"c.Spawner.cpu_guarantee = {cpu['guarantee']}" in local
    assert f"c.Spawner.cpu_limit = {cpu['limit']}" in local
