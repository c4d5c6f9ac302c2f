"""Chapter 7, image layers: a container's writes land in its own layer, the image is shared."""

from __future__ import annotations

import pytest

from vlab.lab.oslevel import image_layers


def test_doing_nothing_changes_nothing_and_both_see_the_whole_image():
    view = image_layers.layers_view("nothing")
    assert view.uppers == {"A": [], "B": []} and view.whiteouts == {"A": [], "B": []}
    assert view.visible["A"] == view.visible["B"]
    assert len(view.visible["A"]) == sum(len(files) for files in view.image.values())
    assert view.shared_lowers


def test_an_append_copies_the_file_up_into_a_only():
    view = image_layers.layers_view("echo 'hello from A' >> /etc/motd")
    assert view.uppers["A"] == ["/etc/motd"] and view.copy_ups["A"] == 1
    assert view.visible["A"]["/etc/motd"] == "upper A"
    assert view.visible["B"]["/etc/motd"] == "base"
    assert view.uppers["B"] == []


def test_a_delete_leaves_a_whiteout_and_b_still_sees_the_file():
    view = image_layers.layers_view("rm /usr/lib/libssl.so")
    assert view.whiteouts["A"] == ["/usr/lib/libssl.so"]
    assert "/usr/lib/libssl.so" not in view.visible["A"]
    assert view.visible["B"]["/usr/lib/libssl.so"] == "runtime"
    assert "/usr/lib/libssl.so" in view.image["runtime"]  # the image layer is untouched


def test_overwriting_a_file_of_the_image_shadows_it_for_a_only():
    view = image_layers.layers_view("echo port=9000 > /app/config.ini")
    assert view.uppers["A"] == ["/app/config.ini"] and view.outputs["A"] == ""
    assert view.visible["A"]["/app/config.ini"] == "upper A"
    assert view.visible["B"]["/app/config.ini"] == "app"


def test_b_s_own_programs_see_the_image_unchanged():
    view = image_layers.layers_view("echo 'hello from A' >> /etc/motd")
    lines = view.outputs["B"].splitlines()
    assert lines[0] == "welcome" and "libssl.so" in lines and "README" in lines


def test_layers_are_named_by_their_content():
    first, second = image_layers.layers_view("nothing"), image_layers.layers_view("nothing")
    assert first.digests == second.digests
    assert all(d.startswith("sha256:") and len(d) == 71 for d in first.digests.values())
    assert len(set(first.digests.values())) == 3


def test_an_unknown_action_is_a_clear_error():
    with pytest.raises(ValueError, match="choose one of"):
        image_layers.layers_view("format c:")


def test_the_experiment_stores_every_setting_and_says_where_writes_went():
    experiment = image_layers.layers_explorer()
    assert experiment.stored and experiment.states == len(image_layers.ACTIONS)
    assert "copied up" in experiment.text and "shared, not copied" in experiment.text


def test_two_images_on_one_base_store_the_shared_layers_once():
    table = image_layers.layout_table()
    layers = [row[0] for row in table.rows if row[0].startswith("layer ")]
    assert sorted(layers) == ["layer api", "layer app", "layer base", "layer runtime"]
    assert sum(row[0].startswith("manifest of") for row in table.rows) == 2


def test_images_sharing_a_base_share_its_chain_ids(tmp_path):
    from vlab.os.image import chain_ids

    store = image_layers.build_images(tmp_path)
    web, api = (chain_ids(store.image(name).config.diff_ids) for name in ("web:1", "api:1"))
    assert web[:2] == api[:2] and web[2] != api[2]
