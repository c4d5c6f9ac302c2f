"""The plot style: deterministic rendering, standard sizes, clear errors."""

import matplotlib
import pytest

from vlab.lab import style


def _simple_figure():
    fig, ax = style.new_figure("single")
    ax.plot([0, 1, 2], [1, 0, 2])
    ax.set_title("t")
    return fig


def test_png_depends_only_on_the_figure():
    first = style.figure_png(style.styled(_simple_figure)())
    second = style.figure_png(style.styled(_simple_figure)())
    assert first.startswith(b"\x89PNG") and first == second
    assert b"Software" not in first


def test_styled_plots_use_the_style_and_leave_global_rcparams_alone():
    before = matplotlib.rcParams["font.size"]
    matplotlib.rcParams["svg.hashsalt"] = None
    seen = style.styled(lambda: (matplotlib.rcParams["svg.hashsalt"],
                                 matplotlib.rcParams["font.family"]))()
    assert seen == ("vlab", ["DejaVu Sans"])
    assert matplotlib.rcParams["font.size"] == before
    assert matplotlib.rcParams["svg.hashsalt"] is None


def test_use_style_applies_the_rcparams():
    with matplotlib.rc_context():
        style.use_style()
        assert matplotlib.rcParams["svg.hashsalt"] == "vlab"
        assert matplotlib.rcParams["figure.dpi"] == style.DPI


def test_new_figure_has_the_standard_size():
    fig, axes = style.new_figure("stacks", ncols=4)
    assert tuple(fig.get_size_inches()) == style.FIGSIZE["stacks"]
    assert len(axes) == 4


def test_every_level_has_its_own_color():
    assert len(set(style.LEVEL_COLORS.values())) == 5
    assert style.level_color("os") == style.LEVEL_COLORS["os"]


def test_text_color_contrasts_with_the_background():
    assert style.text_color_on("#FFFFFF") == style.INK
    assert style.text_color_on("#000000") == style.PAPER


@pytest.mark.parametrize("call", [lambda: style.new_figure("huge"),
                                  lambda: style.level_color("kernel")])
def test_unknown_names_are_rejected_with_the_choices(call):
    with pytest.raises(ValueError, match="choose one of"):
        call()


def test_a_figure_png_records_its_smallest_font_and_its_plot_function():
    import io

    from PIL import Image

    from vlab.lab import style

    @style.styled
    def plot_two_sizes():
        fig, ax = style.new_figure("single")
        ax.set_title("big", fontsize=14)
        ax.text(0.5, 0.5, "small", fontsize=7.5)
        ax.text(0.5, 0.2, "   ", fontsize=3)        # blank text is not text a reader sees
        return fig

    fig = plot_two_sizes()
    assert style.min_font_points(fig) == 7.5
    image = Image.open(io.BytesIO(style.figure_png(fig)))
    assert image.mode == "P"                            # a palette: a third of the bytes
    assert image.text[style.MIN_FONT_KEY] == "7.5"
    assert image.text[style.PLOT_KEY].endswith("plot_two_sizes")
    assert style.figure_png(fig) == style.figure_png(fig)   # deterministic
